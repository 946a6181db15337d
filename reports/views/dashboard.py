"""Ban Tổ chức's dashboard of one reporting cycle, and its spreadsheet and CSV.

Reviewers and leaders of the cycle's plan read it; reporters, who can see the cycle,
are refused (403); people with no role do not learn the cycle exists (404). The files
come at once when small, from a job when large (``reports.views.export_jobs``)."""

from typing import BinaryIO

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from organisations.http import AuthenticatedRequest
from reports.access import found, get_cycle_for_user, get_node_for_user
from reports.dashboards.common import breadcrumb
from reports.dashboards.cycle import Dashboard, page_rows, subplan_compliance
from reports.dashboards.rows import present
from reports.documents.exports import FORMATS, dashboard_row_count, write_dashboard_file
from reports.documents.spreadsheets import dashboard_filenames
from reports.export_jobs.scope import dashboard_for, dashboard_query
from reports.models import ExportKind, ReportingCycle
from reports.notifications.late import late_to_remind
from reports.notifications.reminders import reminders_by_organisation
from reports.selectors import oversight
from reports.views.export_jobs import export_answer


def _dashboard(request: AuthenticatedRequest, cycle: ReportingCycle) -> Dashboard:
    """One page of the dashboard: its rows, and the counts of every row."""
    try:
        page = int(request.GET.get("trang", "1"))
    except ValueError:
        page = 1
    node = get_node_for_user(request.user, cycle.plan, request.GET.get("don_vi", ""))
    return dashboard_for(cycle, node, request.GET, page=page)


@require_GET
def dashboard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, pk, oversee=True)
    board = _dashboard(request, cycle)
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


@require_http_methods(["GET", "POST"])
@never_cache
def dashboard_export(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    found(fmt if fmt in FORMATS else None)
    cycle = get_cycle_for_user(request.user, pk, oversee=True)
    # The first page counts the rows in the database; every row is read only to write.
    board = _dashboard(request, cycle)
    query = dashboard_query(board)
    node = found(board.node)

    def write(out: BinaryIO) -> None:
        write_dashboard_file(dashboard_for(cycle, node, QueryDict(query)), fmt, out)

    return export_answer(
        request,
        kind=ExportKind.DASHBOARD,
        fmt=fmt,
        cycle=cycle,
        query=query,
        rows=dashboard_row_count(board),
        write=write,
        names=dashboard_filenames(board, fmt),
        title=_("Bảng theo dõi báo cáo năm %(year)s — các đơn vị báo cáo %(node)s")
        % {"year": cycle.year, "node": node.organisation.name},
    )
