"""Every row of the dashboard's and the rollup's files, read from the database as a
stream (``.iterator(chunk_size=...)``): one query per table whatever the number of
organisations, and the memory of one chunk, where a national file lists 50,000 of them.

The pages read one page of the same rows (``cycle.filtered_rows``); a file lists them all,
in the same order, with the same values, since it builds the same row objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from organisations.ordering import usual_order
from reports.dashboards.cycle import (
    Dashboard,
    LastReminder,
    OrganisationRow,
    SubPlanRow,
    filtered_rows,
)
from reports.dashboards.rollup import Rollup
from reports.figures.definitions import counted_statuses
from reports.figures.deliverables import SUBPLAN, with_bucket
from reports.models import AnnualReport, IndicatorValue, Reminder, SubPlan
from tasks.models import Indicator
from tasks.selectors import subplan_expected_organisations

CHUNK = 2000  # rows read from the database at a time


# The dashboard ------------------------------------------------------------------------------


def _dashboard_query(board: Dashboard):
    return filtered_rows(
        board.cycle, kind=board.kind, status=board.status, today=board.today, node=board.node
    )


def dashboard_row_count(board: Dashboard) -> int:
    """How many organisations the dashboard's files list: every one the filters keep."""
    return _dashboard_query(board).count()


def dashboard_rows(board: Dashboard) -> Iterator[OrganisationRow]:
    """Every row of the dashboard's table after its filters, in the page's order: each
    organisation with its report and its latest reminder read in the same query (a
    reminder that never went out counts from the moment it was claimed, as on the page)."""
    cycle = board.cycle
    latest = (
        Reminder.objects.filter(cycle=cycle, organisation=OuterRef("pk"))
        .annotate(at=Coalesce("sent_at", "claimed_at"))
        .order_by("-at", "-pk")
    )
    rows = _dashboard_query(board).annotate(
        report_status=F("cycle_report__status"),
        report_first=F("cycle_report__first_submitted_at"),
        report_submissions=F("cycle_report__submission_count"),
        reminder_at=Subquery(latest.values("at")[:1]),
        reminder_status=Subquery(latest.values("status")[:1]),
    )
    deadlines: dict[str, dt.datetime] = {}
    for org in rows.iterator(chunk_size=CHUNK):
        if org.kind not in deadlines:
            deadlines[org.kind] = cycle.deadline_for(org.kind)
        report = None
        if org.report_pk is not None:
            report = AnnualReport(
                pk=org.report_pk,
                cycle=cycle,
                organisation=org,
                status=org.report_status,
                first_submitted_at=org.report_first,
                submission_count=org.report_submissions,
            )
        reminder = None
        if org.reminder_at is not None:
            reminder = LastReminder(at=org.reminder_at, status=org.reminder_status)
        yield OrganisationRow(
            organisation=org,
            report=report,
            deadline=deadlines[org.kind],
            today=board.today,
            reminder=reminder,
        )


def subplan_rows(board: Dashboard) -> Iterator[SubPlanRow]:
    """Every organisation that must issue its own plan, by code, with its sub-plan (read
    in the same query) and its bucket."""
    plan, today = board.cycle.plan, board.today
    rows = with_bucket(subplan_expected_organisations(plan, today), plan, today).annotate(
        subplan_number=F(f"{SUBPLAN}__number"),
        subplan_issued_on=F(f"{SUBPLAN}__issued_on"),
        subplan_registered_at=F(f"{SUBPLAN}__registered_at"),
    )
    for org in rows.iterator(chunk_size=CHUNK):
        subplan = None
        if org.subplan_pk is not None:
            subplan = SubPlan(
                pk=org.subplan_pk,
                plan=plan,
                organisation=org,
                number=org.subplan_number,
                issued_on=org.subplan_issued_on,
                registered_at=org.subplan_registered_at,
            )
        yield SubPlanRow(organisation=org, subplan=subplan, bucket=org.bucket)


# The rollup ---------------------------------------------------------------------------------


def rollup_indicators(rollup: Rollup) -> list[Indicator]:
    """The columns of the rollup's "Theo đơn vị" sheet, in the rollup's order."""
    return [total.indicator for total in rollup.totals.rows]


def _counted_values(rollup: Rollup):
    return IndicatorValue.objects.filter(
        report__cycle=rollup.cycle,
        report__status__in=counted_statuses(rollup.include_submitted),
        report__reports_to_id__in=rollup.node.line if rollup.node else [],
    )


def rollup_row_count(rollup: Rollup) -> int:
    """How many organisations the rollup's "Theo đơn vị" sheet lists: those whose
    counted report has figures."""
    return (
        AnnualReport.objects.filter(
            cycle=rollup.cycle,
            status__in=counted_statuses(rollup.include_submitted),
            reports_to_id__in=rollup.node.line if rollup.node else [],
        )
        .filter(Exists(IndicatorValue.objects.filter(report=OuterRef("pk"))))
        .count()
    )


def organisation_values(rollup: Rollup) -> Iterator[tuple[str, list[Decimal | None]]]:
    """Every counted report's figures, one row per organisation (its name, then one
    value per ``rollup_indicators``), in the usual order. One query, read as plain
    tuples: a national year is hundreds of thousands of figures. The order ends with the
    organisation's code, so each organisation's figures come together."""
    indicators = rollup_indicators(rollup)
    position = {indicator.pk: i for i, indicator in enumerate(indicators)}
    values = (
        _counted_values(rollup)
        .order_by(*usual_order("report__organisation__"))
        .values_list(
            "report__organisation_id", "report__organisation__name", "indicator_id", "value"
        )
    )
    current_id: int | None = None
    name, row = "", list[Decimal | None]()
    for organisation_id, org_name, indicator_id, value in values.iterator(chunk_size=10_000):
        if organisation_id != current_id:
            if current_id is not None:
                yield name, row
            current_id, name, row = organisation_id, org_name, [None for _ in indicators]
        if indicator_id in position:
            row[position[indicator_id]] = value
    if current_id is not None:
        yield name, row
