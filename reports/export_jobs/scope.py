"""What a dashboard's or a rollup's file covers, read from the page's query string.

The page, the file answered at once and the job that writes it later all go through
these functions, so the three always show the same organisations."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.urls import reverse

from reports.dashboards.cycle import Dashboard, cycle_dashboard
from reports.dashboards.rollup import Rollup, plan_cycles, plan_rollup
from reports.models import ExportJob, ExportKind, ReportingCycle
from tasks.lines import ReportingNode
from tasks.models import Plan


def dashboard_for(
    cycle: ReportingCycle,
    node: ReportingNode,
    query: Mapping[str, str],
    *,
    page: int | None = None,
) -> Dashboard:
    """The cycle's dashboard at ``node``'s level with the page's filters (organisation
    kind ``loai``, status ``trang_thai``); one page of rows, or every row (page None)."""
    return cycle_dashboard(
        cycle,
        kind=query.get("loai", ""),
        status=query.get("trang_thai", ""),
        page=page,
        node=node,
    )


def rollup_for(plan: Plan, node: ReportingNode, query: Mapping[str, str]) -> Rollup | None:
    """The plan's rollup at ``node``'s level for the year ``nam`` (the latest when it is
    not one of the plan's), counting submitted reports when ``tinh_ca_chua_duyet=1``;
    None before the plan's first cycle."""
    try:
        year: int | None = int(query.get("nam", ""))
    except ValueError:
        year = None  # the latest year, which the page names
    return plan_rollup(
        plan,
        plan_cycles(plan),
        year=year,
        include_submitted=query.get("tinh_ca_chua_duyet") == "1",
        indicator_code=query.get("chi_tieu", ""),
        node=node,
    )


def _query(**params: str) -> str:
    return urlencode(sorted((name, value) for name, value in params.items() if value))


def dashboard_query(board: Dashboard) -> str:
    """The dashboard's filters as they were applied (unknown values dropped, the level
    named), in a fixed order: the same file asked twice gives the same text."""
    node = board.node.organisation.code if board.node else ""
    return _query(don_vi=node, loai=board.kind, trang_thai=board.status)


def rollup_query(rollup: Rollup) -> str:
    """The rollup's year, level, basis and indicator as applied, in a fixed order."""
    return _query(
        don_vi=rollup.node.organisation.code if rollup.node else "",
        nam=str(rollup.cycle.year),
        tinh_ca_chua_duyet="1" if rollup.include_submitted else "",
        chi_tieu=rollup.indicator.code if rollup.indicator else "",
    )


def export_url(job: ExportJob) -> str:
    """Where the export is asked for again ("Thử lại"): its page's export address."""
    if job.kind == ExportKind.DASHBOARD:
        path = reverse("reports:dashboard_export", args=[job.cycle_id, job.fmt])
    else:
        path = reverse("reports:rollup_export", args=[job.cycle.plan.code, job.fmt])
    return f"{path}?{job.query}" if job.query else path


def page_url(job: ExportJob) -> str:
    """The page the export was asked from, with its filters."""
    if job.kind == ExportKind.DASHBOARD:
        path = reverse("reports:dashboard", args=[job.cycle_id])
    else:
        path = reverse("reports:rollup", args=[job.cycle.plan.code])
    return f"{path}?{job.query}" if job.query else path
