"""The provincial rollup of a plan for leaders (Thường trực Tỉnh ủy) and Ban Tổ chức:
indicator totals with last year's, levels per task, organisations compared, trends.

Leaders and reviewers of the plan read it; reporters, who can read the plan, are refused
(403); people with no role get 404."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisations.http import AuthenticatedRequest
from reports.access import found, get_node_for_user, get_plan_for_user
from reports.dashboards.common import breadcrumb
from reports.dashboards.rollup import Rollup, plan_cycles, plan_rollup
from reports.documents.report import content_disposition
from reports.documents.rollup_files import (
    rollup_csv,
    rollup_excel_csv,
    rollup_filenames,
    rollup_xlsx,
)
from reports.documents.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from tasks.models import Plan

# "csv" is for programs (commas, decimal point); "excel.csv" for Excel with Vietnamese
# regional settings (semicolons, decimal comma). The workbook is the first choice.
FORMATS = {
    "xlsx": (rollup_xlsx, XLSX_CONTENT_TYPE),
    "csv": (rollup_csv, CSV_CONTENT_TYPE),
    "excel.csv": (rollup_excel_csv, CSV_CONTENT_TYPE),
}


def _rollup(request: AuthenticatedRequest, plan: Plan) -> Rollup | None:
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        year = None  # the latest year, which the page names
    return plan_rollup(
        plan,
        plan_cycles(plan),
        year=year,
        include_submitted=request.GET.get("tinh_ca_chua_duyet") == "1",
        indicator_code=request.GET.get("chi_tieu", ""),
        node=get_node_for_user(request.user, plan, request.GET.get("don_vi", "")),
    )


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


@require_GET
@never_cache
def rollup_export(request: AuthenticatedRequest, plan_code: str, fmt: str) -> HttpResponse:
    write, content_type = found(FORMATS.get(fmt))
    plan = get_plan_for_user(request.user, plan_code, oversee=True)
    data = found(_rollup(request, plan))  # no cycle yet: nothing to export
    response = HttpResponse(write(data), content_type=content_type)
    response["Content-Disposition"] = content_disposition(*rollup_filenames(data, fmt))
    return response
