"""Ban Tổ chức's dashboard of one reporting cycle, and its spreadsheet and CSV.

Reviewers and leaders of the cycle's plan read it; reporters, who can see the cycle,
are refused (403); people with no role do not learn the cycle exists (404)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisations.http import AuthenticatedRequest
from reports.access import found, get_cycle_for_user, get_node_for_user
from reports.dashboards.common import breadcrumb
from reports.dashboards.cycle import Dashboard, cycle_dashboard, page_rows, subplan_compliance
from reports.dashboards.rows import present
from reports.documents.report import content_disposition
from reports.documents.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    dashboard_csv,
    dashboard_excel_csv,
    dashboard_filenames,
    dashboard_xlsx,
)
from reports.models import ReportingCycle
from reports.notifications.late import late_to_remind
from reports.notifications.reminders import reminders_by_organisation
from reports.selectors import oversight

# "csv" is for programs (commas, decimal point); "excel.csv" for Excel with Vietnamese
# regional settings (semicolons, decimal comma). The workbook is the first choice.
FORMATS = {
    "xlsx": (dashboard_xlsx, XLSX_CONTENT_TYPE),
    "csv": (dashboard_csv, CSV_CONTENT_TYPE),
    "excel.csv": (dashboard_excel_csv, CSV_CONTENT_TYPE),
}


def _dashboard(
    request: AuthenticatedRequest, cycle: ReportingCycle, *, paged: bool = False
) -> Dashboard:
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
        node=get_node_for_user(request.user, cycle.plan, request.GET.get("don_vi", "")),
    )


@require_GET
def dashboard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, pk, oversee=True)
    board = _dashboard(request, cycle, paged=True)
    present(board.rows)
    # Reviewers of the committee shown see each listed organisation's reminder log and
    # the "send now" button; the levels above and leaders see the latest reminder only.
    reviewer = request.user.is_superuser or (
        board.node is not None and (board.node.pk in oversight(request.user, "reviewer").lines())
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "cycle": cycle,
            "can_remind": reviewer,
            # One action for every late unit of the level, besides each row's own.
            "late_count": late_to_remind(cycle, board.node).count()
            if reviewer and cycle.is_open
            else 0,
            "reminders": reminders_by_organisation(
                cycle, [row.organisation.pk for row in board.rows]
            )
            if reviewer
            else {},
            "board": board,
            "crumbs": breadcrumb(request.user, cycle.plan_id, board.node),
            "figures": board.figures,
            "rows": board.rows,
            "status_chart": board.status_chart(),
            "rates_chart": board.rates_chart(),
        },
    )


# The heat map and the history load after the page, each on its own (htmx), so the
# table of the page is not kept waiting; without JavaScript their links open them.
PANELS = {
    "bang-nhiet": ("reports/_dashboard_heatmap.html", "heatmap"),
    "lich-su": ("reports/_dashboard_history.html", "history"),
    "ke-hoach": ("reports/_dashboard_subplans.html", "compliance"),
}


@require_GET
def dashboard_panel(request: AuthenticatedRequest, pk: int, panel: str) -> HttpResponse:
    template, name = found(PANELS.get(panel))
    cycle = get_cycle_for_user(request.user, pk, oversee=True)
    if name == "compliance":  # the plan's, whatever the level or the filters
        context = {"cycle": cycle, name: subplan_compliance(cycle.plan, timezone.localdate())}
        return _panel(request, template, context)
    try:
        page = int(request.GET.get("trang", "1"))
    except ValueError:
        page = 1
    part = page_rows(
        cycle,
        kind=request.GET.get("loai", ""),
        status=request.GET.get("trang_thai", ""),
        page=page,
        node=get_node_for_user(request.user, cycle.plan, request.GET.get("don_vi", "")),
        panel=True,
    )
    return _panel(request, template, {"cycle": cycle, name: getattr(part, name)})


def _panel(request: AuthenticatedRequest, template: str, context: dict) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        return render(request, template, context)
    return render(
        request,
        "reports/dashboard_panel.html",
        context | {"panel_template": template, "back": request.GET.urlencode()},
    )


@require_GET
@never_cache
def dashboard_export(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    write, content_type = found(FORMATS.get(fmt))
    cycle = get_cycle_for_user(request.user, pk, oversee=True)
    board = _dashboard(request, cycle)
    response = HttpResponse(write(board), content_type=content_type)
    response["Content-Disposition"] = content_disposition(*dashboard_filenames(board, fmt))
    return response
