"""The notification centre (everyone signed in) and a reviewer's "send a reminder now"."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisations.http import AuthenticatedRequest
from reports.access import (
    get_notification_for_user,
    get_reminder_level_for_user,
    get_reminder_target_for_user,
)
from reports.notifications.inapp import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
)
from reports.notifications.late import late_to_remind, reminders_send_late
from reports.notifications.reminders import ReminderRefused, reminder_send_now


@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    """The user's notifications, newest first, 30 a page. Everyone signed in has a list,
    even with no role: it is simply empty."""
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("trang"))
    return render(request, "reports/notification_list.html", {"page": page})


def _safe(request: AuthenticatedRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one of the user's own notifications read, then go where the form says (back
    to the list) or, by default, to what the notification is about."""
    notification = get_notification_for_user(request.user, pk)
    notification_mark_read(notification=notification)
    for target in (request.POST.get("next", ""), notification.url):
        if _safe(request, target):
            return redirect(target)
    return redirect("reports:notifications")


@require_POST
def notifications_read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": count})
    return redirect("reports:notifications")


@require_POST
def reminder_send(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    """Remind one organisation now (reviewers of the plan; at most once a day)."""
    cycle, organisation = get_reminder_target_for_user(request.user, pk, code)
    try:
        reminder_send_now(cycle=cycle, organisation=organisation, actor=request.user)
    except ReminderRefused as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Đã gửi nhắc hạn đến %(org)s.") % {"org": organisation.name})
    return redirect(
        f"{reverse('reports:cycle_detail', args=[cycle.pk])}#don-vi-{organisation.code}"
    )


# How many late organisations the confirmation names; the count covers them all.
LATE_NAMED = 30


@require_http_methods(["GET", "POST"])
def reminders_send_late_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remind every late organisation of one level at once: GET asks for confirmation,
    saying how many (and which); POST sends (reviewers of the level)."""
    code = request.POST.get("don_vi", "") or request.GET.get("don_vi", "")
    cycle, node = get_reminder_level_for_user(request.user, pk, code)
    back = reverse("reports:cycle_detail", args=[cycle.pk])
    if not node.top:
        back += f"?don_vi={node.organisation.code}"
    if not cycle.is_open:
        messages.warning(request, _("Kỳ báo cáo đã đóng, không gửi nhắc hạn."))
        return redirect(back)
    if request.method == "POST":
        sent, refused = reminders_send_late(cycle=cycle, node=node, actor=request.user)
        if sent:
            messages.success(request, _("Đã gửi nhắc hạn đến %(n)s đơn vị chậm nộp.") % {"n": sent})
        else:
            messages.info(request, _("Không có đơn vị chậm nộp nào cần nhắc hạn."))
        if refused:
            messages.warning(
                request,
                _("%(n)s đơn vị không được nhắc: đã gửi báo cáo hoặc đã được nhắc hôm nay.")
                % {"n": refused},
            )
        return redirect(back)
    late = late_to_remind(cycle, node)
    return render(
        request,
        "reports/reminders_late_confirm.html",
        {
            "cycle": cycle,
            "node": node,
            "count": late.count(),
            "named": list(late[:LATE_NAMED]),
            "back": back,
        },
    )
