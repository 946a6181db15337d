"""Reporting cycles: reviewers open, edit and close them; everyone with a role sees them."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisations.http import AuthenticatedRequest
from reports.access import (
    get_cycle_for_user,
    get_node_for_user,
    get_plan_for_user,
    oversees,
    require_manager,
    require_role,
)
from reports.dashboards.common import breadcrumb
from reports.dashboards.cycle import NOT_STARTED, status_slices
from reports.figures.definitions import cycle_figures
from reports.forms import CycleForm
from reports.notifications.late import late_to_remind
from reports.notifications.reminders import reminders_by_organisation
from reports.paging import PAGE_PARAMETER, paginate
from reports.selectors import (
    can_manage,
    cycles_visible_to,
    expected_rows,
    expected_with_report,
    next_free_year,
    oversight,
    plans_managed_by,
    reporter_organisation_ids,
)
from reports.services import ServiceError
from reports.services.cycles import cycle_close, cycle_open, cycle_update
from tasks.selectors import plans_visible_to


@require_GET
def cycle_list(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user)
    cycles = list(cycles_visible_to(request.user).order_by("-year", "plan__number"))
    reviewable = plans_managed_by(request.user)
    plans = [p for p in plans_visible_to(request.user) if p.pk in reviewable]
    return render(
        request,
        "reports/cycle_list.html",
        {"cycles": cycles, "plans_to_open": plans, "reviewable": reviewable},
    )


@require_http_methods(["GET", "POST"])
def cycle_create(request: AuthenticatedRequest) -> HttpResponse:
    first = require_manager(request.user)
    plan_code = request.GET.get("plan") or request.POST.get("plan") or first.code
    plan = get_plan_for_user(request.user, plan_code, manage=True)
    year = next_free_year(plan, timezone.localdate().year)
    form = CycleForm(
        request.POST or None,
        initial={
            "year": year,
            "period_start": f"01/01/{year}",
            "period_end": f"31/12/{year}",
            "opens_on": f"01/11/{year}",
            "due_on": f"15/12/{year}",
            "closes_on": f"31/01/{year + 1}",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_open(plan=plan, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã mở kỳ báo cáo năm %(year)s.") % {"year": cycle.year})
            return redirect(cycle)
    return render(request, "reports/cycle_form.html", {"form": form, "plan": plan})


@require_GET
def cycle_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The cycle and its expected organisations, a page at a time (overdue first): every
    one for those who oversee the plan, a reporter's own otherwise. The counts over the
    table cover every organisation; a fixed number of queries whatever their number."""
    user = request.user
    cycle = get_cycle_for_user(user, pk)
    overseer = oversees(user, cycle.plan_id)
    mine = reporter_organisation_ids(user)
    if overseer:
        # One level of the cascade: the reports addressed to the user's committee (or the
        # one asked for below it); leaders read every row too.
        node = get_node_for_user(user, cycle.plan, request.GET.get("don_vi", ""))
        organisations = expected_with_report(cycle, with_reports=True, node=node)
        reviewer = node.pk in oversight(user, "reviewer").lines() or user.is_superuser
    else:
        node, reviewer = None, False
        organisations = expected_with_report(cycle, with_reports=True, everywhere=True).filter(
            pk__in=mine
        )
    # A lower level's pages stay on that level.
    keep = (("don_vi", node.organisation.code),) if node is not None and not node.top else ()
    pager = paginate(organisations, request.GET.get(PAGE_PARAMETER), keep=keep)
    rows = expected_rows(pager.page.object_list, cycle)
    context = {
        "cycle": cycle,
        "rows": rows,
        "pager": pager,
        "can_manage": can_manage(user, cycle.plan_id),
        "can_remind": reviewer,
        "overseer": overseer,
        "node": node,
        "crumbs": breadcrumb(user, cycle.plan_id, node),
        "mine": mine,
        "reminders": reminders_by_organisation(cycle, [row.organisation.pk for row in rows])
        if reviewer
        else {},
    }
    if reviewer:
        # A reviewer's list is every expected organisation, so its count is theirs.
        slices = status_slices(cycle_figures(cycle, node))
        context.update(expected=pager.total, counts=slices, missing=slices[NOT_STARTED])
        if cycle.is_open:
            context["late_count"] = late_to_remind(cycle, node).count()
    return render(request, "reports/cycle_detail.html", context)


@require_http_methods(["GET", "POST"])
def cycle_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, pk, manage=True)
    if not cycle.is_open:
        messages.error(request, _("Kỳ báo cáo đã đóng, không thể sửa."))
        return redirect(cycle)
    form = CycleForm(
        request.POST or None,
        initial={
            "year": cycle.year,
            "title": cycle.title,
            "period_start": cycle.period_start,
            "period_end": cycle.period_end,
            "opens_on": cycle.opens_on,
            "due_on": cycle.due_on,
            "closes_on": cycle.closes_on,
            "reminder_offsets": ", ".join(str(n) for n in cycle.reminder_offsets),
        },
    )
    form.fields["year"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "year"}
        try:
            cycle_update(cycle=cycle, actor=request.user, **data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã cập nhật kỳ báo cáo."))
            return redirect(cycle)
    return render(
        request, "reports/cycle_form.html", {"form": form, "plan": cycle.plan, "cycle": cycle}
    )


@require_POST
def cycle_close_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, pk, manage=True)
    try:
        cycle_close(cycle=cycle, actor=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã đóng kỳ báo cáo năm %(year)s.") % {"year": cycle.year})
    return redirect(cycle)
