"""Ban Tổ chức's dashboard of one reporting cycle, and its spreadsheet and CSV.

Reviewers and leaders of the cycle's plan read it; reporters, who can see the cycle,
are refused (403); people with no role do not learn the cycle exists (404)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reports.dashboards.cycle import Dashboard, cycle_dashboard
from reports.documents.report import content_disposition
from reports.documents.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    dashboard_csv,
    dashboard_filenames,
    dashboard_xlsx,
)
from reports.models import ReportingCycle
from reports.notifications.reminders import reminders_by_organisation
from reports.selectors import can_review, get_cycle_for_user, plans_overseen_by

FORMATS = {"xlsx": (dashboard_xlsx, XLSX_CONTENT_TYPE), "csv": (dashboard_csv, CSV_CONTENT_TYPE)}


def _cycle_overseen(request, pk: int) -> ReportingCycle:
    cycle = get_cycle_for_user(request.user, pk)
    if not request.user.is_superuser and cycle.plan_id not in plans_overseen_by(request.user):
        raise PermissionDenied
    return cycle


def _dashboard(request, cycle: ReportingCycle, *, paged: bool = False) -> Dashboard:
    page = None
    if paged:
        try:
            page = int(request.GET.get("trang", "1"))
        except ValueError:
            page = 1
    return cycle_dashboard(
        cycle,
        kind=request.GET.get("loai", ""),
        status=request.GET.get("trang_thai", ""),
        page=page,
    )


@require_GET
def dashboard(request, pk: int):
    cycle = _cycle_overseen(request, pk)
    board = _dashboard(request, cycle, paged=True)
    reviewer = can_review(request.user, cycle.plan_id)
    return render(
        request,
        "reports/dashboard.html",
        {
            "cycle": cycle,
            # Reviewers see each listed organisation's reminder log and the "send now"
            # button; leaders see the latest reminder only.
            "can_remind": reviewer,
            "reminders": reminders_by_organisation(
                cycle, [row.organisation.pk for row in board.rows]
            )
            if reviewer
            else {},
            "board": board,
            "figures": board.figures,
            "rows": board.rows,
            "status_chart": board.status_chart(),
            "rates_chart": board.rates_chart(),
        },
    )


@require_GET
@never_cache
def dashboard_export(request, pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    cycle = _cycle_overseen(request, pk)
    board = _dashboard(request, cycle)
    write, content_type = FORMATS[fmt]
    response = HttpResponse(write(board), content_type=content_type)
    response["Content-Disposition"] = content_disposition(*dashboard_filenames(board, fmt))
    return response
