"""Ban Tổ chức's side: the inbox, and returning, accepting and reopening reports."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organisations.http import AuthenticatedRequest
from organisations.ordering import sort_key
from reports.access import get_report_for_user, require_overseer
from reports.forms import AcceptForm, InboxFilterForm, ReopenForm, ReturnForm
from reports.keyset import BadCursor, keyset_page
from reports.models import AnnualReport
from reports.paging import PAGE_PARAMETER
from reports.selectors import (
    current_cycle,
    inbox_cycles,
    inbox_for,
    inbox_sections,
    oversight,
    report_with_content,
    share_plans,
)
from reports.services import ServiceError
from reports.services import reports as lifecycle
from tasks.lines import ReportingNode, nodes

INBOX_PAGE = 50
INBOX_CURSOR = "reports.inbox.v1"  # the salt of its cursors: change it with the order


@require_GET
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The reports addressed to the committees the user acts for, filterable, 50 a page;
    each row names the committee it is addressed to, and someone acting for several
    committees may keep to one (``?cap_uy=<code>``; an unknown code keeps them all).
    Pages follow one another by cursor (``?trang=<cursor>``, reports.keyset): no count,
    and a cursor that is not one of ours shows the first page."""
    require_overseer(request.user)
    cycles = inbox_cycles(request.user)
    current = current_cycle(cycles)
    # The current cycle unless another (or every year) is chosen: last year's accepted
    # reports do not bury this year's work. Set in the data, so the filter shows it.
    data = request.GET.copy()
    if not data.get("cycle") and current is not None:
        data["cycle"] = str(current.pk)
    form = InboxFilterForm(data, cycles=cycles)
    filters = form.cleaned_data if form.is_valid() else {}
    cycle_id = form.chosen_cycle(current)
    reports = inbox_for(
        request.user,
        status=filters.get("status", ""),
        lateness=filters.get("lateness", ""),
        cycle_id=cycle_id,
        unit=filters.get("unit", ""),
    ).select_related("reports_to")
    committees: list[ReportingNode] = []
    chosen = None
    mine = oversight(request.user).committees
    if len(mine) > 1:  # two queries, for the committees and their lines
        committees = sorted(nodes(mine).values(), key=lambda n: sort_key(n.organisation))
        code = request.GET.get("cap_uy", "")
        chosen = next((n for n in committees if n.organisation.code == code), None)
        if chosen is not None:
            reports = reports.filter(reports_to_id__in=chosen.line)
    shown = [c for c in cycles if c.pk == cycle_id] if cycle_id else cycles
    sections = inbox_sections(shown, status=filters.get("status", ""))
    cursor = request.GET.get(PAGE_PARAMETER, "")
    try:
        page = keyset_page(reports, cursor, size=INBOX_PAGE, salt=INBOX_CURSOR, sections=sections)
    except BadCursor:
        page = keyset_page(reports, size=INBOX_PAGE, salt=INBOX_CURSOR, sections=sections)
    # One plan object per plan on the page: a report's due date reads its plan's lines
    # (tasks.lines.plan_lines caches them on the plan), so no query per row.
    share_plans(page.rows)
    query = request.GET.copy()
    query.pop(PAGE_PARAMETER, None)
    return render(
        request,
        "reports/inbox.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "committees": committees,
            "chosen": chosen,
        },
    )


def _act(
    request: AuthenticatedRequest,
    pk: int,
    form_class: Callable[..., forms.Form],
    action: Callable[[AnnualReport, Any], object],
    success: str,
    *,
    with_report: bool = False,
) -> HttpResponse:
    """Check the reviewer, the form and the step; say in Vietnamese what happened."""
    report = get_report_for_user(request.user, pk, review=True)
    if with_report:
        report = report_with_content(report)
        form = form_class(request.POST, report=report)
    else:
        form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(report)
    try:
        action(report, form)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(report)


@require_POST
def report_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReturnForm,
        lambda report, form: lifecycle.report_return(
            report=report,
            comment=form.cleaned_data["comment"],
            section_comments=form.section_comments(),
            actor=request.user,
        ),
        _("Đã trả lại báo cáo kèm ý kiến cho đơn vị."),
        with_report=True,
    )


@require_POST
def report_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        AcceptForm,
        lambda report, form: lifecycle.report_accept(
            report=report, comment=form.cleaned_data["note"], actor=request.user
        ),
        _("Đã tiếp nhận báo cáo. Báo cáo được khóa."),
    )


@require_POST
def report_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReopenForm,
        lambda report, form: lifecycle.report_reopen(
            report=report, reason=form.cleaned_data["reason"], actor=request.user
        ),
        _("Đã mở lại báo cáo để đơn vị chỉnh sửa."),
    )
