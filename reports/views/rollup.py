"""The provincial rollup of a plan for leaders (Thường trực Tỉnh ủy) and Ban Tổ chức:
indicator totals with last year's, levels per task, organisations compared, trends.

Leaders and reviewers of the plan read it; reporters, who can read the plan, are refused
(403); people with no role get 404. The files come at once when small, from a job when
large (``reports.views.export_jobs``)."""

from typing import BinaryIO

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from organisations.http import AuthenticatedRequest
from reports.access import found, get_node_for_user, get_plan_for_user
from reports.dashboards.common import breadcrumb
from reports.dashboards.rollup import Rollup
from reports.documents.exports import FORMATS, rollup_row_count, write_rollup_file
from reports.documents.rollup_files import rollup_filenames
from reports.export_jobs.scope import rollup_for, rollup_query
from reports.models import ExportKind
from reports.views.export_jobs import export_answer
from tasks.models import Plan


def _rollup(request: AuthenticatedRequest, plan: Plan) -> Rollup | None:
    node = get_node_for_user(request.user, plan, request.GET.get("don_vi", ""))
    return rollup_for(plan, node, request.GET)


@require_GET
def rollup(request: AuthenticatedRequest, plan_code: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_code, oversee=True)
    data = _rollup(request, plan)
    context = {
        "plan": plan,
        "rollup": data,
        "crumbs": breadcrumb(request.user, plan.pk, data.node if data else None),
    }
    if data is not None:
        context.update(
            levels_chart=data.levels_chart(),
            comparison_chart=data.comparison_chart(),
            trend_chart=data.trend_chart(),
            rates_chart=data.rates_chart(),
        )
    return render(request, "reports/rollup.html", context)


@require_http_methods(["GET", "POST"])
@never_cache
def rollup_export(request: AuthenticatedRequest, plan_code: str, fmt: str) -> HttpResponse:
    found(fmt if fmt in FORMATS else None)
    plan = get_plan_for_user(request.user, plan_code, oversee=True)
    data = found(_rollup(request, plan))  # no cycle yet: nothing to export

    def write(out: BinaryIO) -> None:
        write_rollup_file(data, fmt, out)

    return export_answer(
        request,
        kind=ExportKind.ROLLUP,
        fmt=fmt,
        cycle=data.cycle,
        query=rollup_query(data),
        rows=rollup_row_count(data),
        write=write,
        names=rollup_filenames(data, fmt),
        title=_("Tổng hợp số liệu năm %(year)s — các báo cáo gửi %(node)s")
        % {"year": data.cycle.year, "node": found(data.node).organisation.name},
    )
