"""Running totals of the counted reports: what the rollup reads instead of summing every
figure of a cycle at request time.

Only submitted and accepted reports are counted, and their content cannot change, so a
report's figures and levels enter the totals of its status when it reaches one and leave
them when it moves on. ``move`` does that inside the transaction that changes the status,
with one upsert per table and direction that adds or subtracts the report's own rows.
Rows are written in a fixed order (the submitted totals before the accepted ones; within
a status, indicator totals before levels; then by indicator or task), so concurrent
transitions never deadlock.

``rebuild`` recomputes a cycle's totals from the reports (after bulk loads) and
``differences`` compares them, for the ``tallies`` command and the tests.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Sum

from reports.figures import closed
from reports.models import (
    TALLIED_STATUSES,
    AnnualReport,
    IndicatorTally,
    IndicatorValue,
    LevelTally,
    ReportingCycle,
    TaskSection,
)

_INDICATOR_ADD = """
INSERT INTO {tally} (cycle_id, node, indicator_id, status, total, count, maximum, maximum_stale)
SELECT %s, %s, v.indicator_id, %s, v.value, 1, v.value, FALSE
FROM {value} v WHERE v.report_id = %s AND v.value IS NOT NULL
ORDER BY v.indicator_id
ON CONFLICT (cycle_id, node, indicator_id, status) DO UPDATE SET
    total = {tally}.total + EXCLUDED.total,
    count = {tally}.count + EXCLUDED.count,
    maximum = CASE WHEN {tally}.maximum IS NULL OR EXCLUDED.maximum > {tally}.maximum
                   THEN EXCLUDED.maximum ELSE {tally}.maximum END
"""

# Leaving: total and count go down; a maximum the report may have carried is marked stale
# (recomputed by the next reader), and an emptied row forgets its maximum.
_INDICATOR_REMOVE = """
INSERT INTO {tally} (cycle_id, node, indicator_id, status, total, count, maximum, maximum_stale)
SELECT %s, %s, v.indicator_id, %s, -v.value, -1, NULL, TRUE
FROM {value} v WHERE v.report_id = %s AND v.value IS NOT NULL
ORDER BY v.indicator_id
ON CONFLICT (cycle_id, node, indicator_id, status) DO UPDATE SET
    total = {tally}.total + EXCLUDED.total,
    count = {tally}.count + EXCLUDED.count,
    maximum = CASE WHEN {tally}.count + EXCLUDED.count <= 0 THEN NULL ELSE {tally}.maximum END,
    maximum_stale = CASE
        WHEN {tally}.count + EXCLUDED.count <= 0 THEN FALSE
        WHEN {tally}.maximum_stale THEN TRUE
        WHEN {tally}.maximum IS NULL OR -EXCLUDED.total >= {tally}.maximum THEN TRUE
        ELSE FALSE END
"""

_LEVEL_MOVE = """
INSERT INTO {tally} (cycle_id, node, task_id, status, level, count)
SELECT %s, %s, s.task_id, %s, s.level, %s
FROM {section} s WHERE s.report_id = %s
ORDER BY s.task_id
ON CONFLICT (cycle_id, node, task_id, status, level) DO UPDATE SET
    count = {tally}.count + EXCLUDED.count
"""


INDICATOR_ADD = _INDICATOR_ADD.format(
    tally=IndicatorTally._meta.db_table, value=IndicatorValue._meta.db_table
)
INDICATOR_REMOVE = _INDICATOR_REMOVE.format(
    tally=IndicatorTally._meta.db_table, value=IndicatorValue._meta.db_table
)
LEVEL_MOVE = _LEVEL_MOVE.format(tally=LevelTally._meta.db_table, section=TaskSection._meta.db_table)


def node_key(reports_to_id: int | None) -> int:
    """The tally rows' key for reports addressed to this committee (0: to none)."""
    return reports_to_id or 0


def move(report: AnnualReport, source: str, target: str) -> None:
    """The report's status changed from ``source`` to ``target`` in this transaction:
    take its figures and levels out of the first's totals and into the second's."""
    if source == target:
        return
    steps = []
    if source in TALLIED_STATUSES:
        steps.append((source, -1))
    if target in TALLIED_STATUSES:
        steps.append((target, +1))
    steps.sort(key=lambda step: TALLIED_STATUSES.index(step[0]))  # the fixed lock order
    # Always inside the transition's own transaction; no savepoint of its own.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        node = node_key(report.reports_to_id)
        for status, sign in steps:
            sql = INDICATOR_ADD if sign > 0 else INDICATOR_REMOVE
            cursor.execute(sql, [report.cycle_id, node, status, report.pk])
            cursor.execute(LEVEL_MOVE, [report.cycle_id, node, status, sign, report.pk])


def refresh_stale_maxima(cycle_ids: list[int]) -> None:
    """Recompute the maxima marked stale when a report carrying one left (rare: only
    on a return or a reopening). One query when none is stale."""
    stale = list(
        IndicatorTally.objects.filter(cycle_id__in=cycle_ids, maximum_stale=True).values_list(
            "pk", "cycle_id", "node", "indicator_id", "status"
        )
    )
    for pk, cycle_id, node, indicator_id, status in stale:
        maximum = IndicatorValue.objects.filter(
            report__cycle_id=cycle_id,
            report__status=status,
            indicator_id=indicator_id,
            report__reports_to_id=node or None,
        ).aggregate(m=Max("value"))["m"]
        IndicatorTally.objects.filter(pk=pk, maximum_stale=True).update(
            maximum=maximum, maximum_stale=False
        )


def _computed(cycle: ReportingCycle) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """The cycle's totals computed from the reports themselves."""
    values = (
        IndicatorValue.objects.filter(
            report__cycle=cycle, report__status__in=TALLIED_STATUSES, value__isnull=False
        )
        .values_list("report__reports_to_id", "indicator_id", "report__status")
        .annotate(total=Sum("value"), count=Count("value"), maximum=Max("value"))
        .order_by()
    )
    levels = (
        TaskSection.objects.filter(report__cycle=cycle, report__status__in=TALLIED_STATUSES)
        .values_list("report__reports_to_id", "task_id", "report__status", "level")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return (
        {(node_key(n), i, s): (Decimal(t), c, Decimal(m)) for n, i, s, t, c, m in values},
        {(node_key(n), t, s, level): c for n, t, s, level, c in levels},
    )


def _stored(cycle: ReportingCycle) -> tuple[dict[Any, Any], dict[Any, Any]]:
    refresh_stale_maxima([cycle.pk])
    indicators = IndicatorTally.objects.filter(cycle=cycle, count__gt=0).values_list(
        "node", "indicator_id", "status", "total", "count", "maximum"
    )
    levels = LevelTally.objects.filter(cycle=cycle, count__gt=0).values_list(
        "node", "task_id", "status", "level", "count"
    )
    return (
        {(n, i, s): (t, c, m) for n, i, s, t, c, m in indicators},
        {(n, t, s, level): c for n, t, s, level, c in levels},
    )


def differences(cycle: ReportingCycle) -> list[str]:
    """Where the stored totals disagree with the reports (empty when they agree)."""
    problems = []
    for kind, stored, computed in zip(
        ("chỉ tiêu", "mức tự đánh giá"), _stored(cycle), _computed(cycle), strict=True
    ):
        for key in sorted(set(stored) | set(computed), key=str):
            if stored.get(key) != computed.get(key):
                problems.append(
                    f"{kind} {key}: lưu {stored.get(key)!r}, tính lại {computed.get(key)!r}"
                )
    return problems


@transaction.atomic
def rebuild(cycle: ReportingCycle) -> None:
    """Recompute a cycle's totals from its reports (after a bulk load or a repair)."""
    # Hold every report of the cycle: a transition waits until the totals are rebuilt.
    list(
        AnnualReport.objects.select_for_update()
        .filter(cycle=cycle)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    IndicatorTally.objects.filter(cycle=cycle).delete()
    LevelTally.objects.filter(cycle=cycle).delete()
    closed.forget(cycle.pk)  # the reports were written around the services
    indicators, levels = _computed(cycle)
    IndicatorTally.objects.bulk_create(
        IndicatorTally(cycle=cycle, node=n, indicator_id=i, status=s, total=t, count=c, maximum=m)
        for (n, i, s), (t, c, m) in indicators.items()
    )
    LevelTally.objects.bulk_create(
        LevelTally(cycle=cycle, node=n, task_id=t, status=s, level=level, count=c)
        for (n, t, s, level), c in levels.items()
    )
