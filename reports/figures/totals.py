"""Each indicator's total over the reports a committee counts, this year's and last
year's, read from the running totals (``reports.figures.tallies``): what the rollup, the
yearly summary and the API show. Who is counted is ``reports.figures.definitions``'s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reports.figures.definitions import (
    HUNDRED,
    Coverage,
    counted_statuses,
    coverage,
    node_or_top,
)
from reports.figures.tallies import refresh_stale_maxima
from reports.models import IndicatorTally, ReportingCycle
from tasks.lines import ReportingNode
from tasks.models import Aggregation, Indicator


@dataclass
class IndicatorTotal:
    indicator: Indicator
    value: Decimal | None
    reports: int  # how many reports gave a figure
    previous: Decimal | None = None
    coverage: Coverage | None = None  # what the change compares, when there is a previous

    @property
    def partial(self) -> bool:
        """Whether this year holds fewer reports than last year (``Coverage``)."""
        return self.coverage is not None and self.coverage.partial

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_percent(self) -> Decimal | None:
        if self.change is None or not self.previous:
            return None
        return (self.change * HUNDRED / self.previous).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass
class Totals:
    include_submitted: bool
    rows: list[IndicatorTotal] = field(default_factory=list)

    def by_code(self) -> dict[str, IndicatorTotal]:
        return {row.indicator.code: row for row in self.rows}


def aggregates(
    cycle_ids: Sequence[int],
    statuses: tuple[str, ...],
    line: frozenset[int],
    indicator_ids: Sequence[int] | None = None,
) -> dict[int, dict[int, dict[str, Any]]]:
    """By cycle, then by indicator: sum, average, maximum and how many reports gave a
    figure, over the cycles' reports in the counted statuses addressed to the line. Read
    from the running totals (``reports.figures.tallies``) in one query whatever the
    number of cycles and reports (two when a maximum is stale)."""
    if not cycle_ids:
        return {}

    def read() -> list[tuple[Any, ...]]:
        rows = IndicatorTally.objects.filter(
            cycle_id__in=list(cycle_ids), status__in=statuses, node__in=line
        )
        if indicator_ids is not None:
            rows = rows.filter(indicator_id__in=list(indicator_ids))
        return list(
            rows.values_list(
                "cycle_id", "indicator_id", "total", "count", "maximum", "maximum_stale"
            )
        )

    tallies = read()
    if any(stale for *_rest, stale in tallies):
        refresh_stale_maxima(sorted({cycle_id for cycle_id, *_rest in tallies}))
        tallies = read()
    result: dict[int, dict[int, dict[str, Any]]] = {}
    for cycle_id, indicator_id, total, count, maximum, _stale in tallies:
        if count <= 0:
            continue
        row = result.setdefault(cycle_id, {}).setdefault(
            indicator_id, {"sum": Decimal(0), "n": 0, "max": None}
        )
        row["sum"] += total
        row["n"] += count
        if maximum is not None and (row["max"] is None or maximum > row["max"]):
            row["max"] = maximum
    for rows in result.values():
        for row in rows.values():
            row["avg"] = row["sum"] / row["n"]
    return result


def indicator_series(
    cycles: Sequence[ReportingCycle],
    indicator: Indicator,
    *,
    include_submitted: bool = False,
    node: ReportingNode | None = None,
) -> dict[int, Decimal | None]:
    """One indicator's total in each cycle (by cycle id) at the node: the rollup's trend,
    in one query however many years."""
    if not cycles:
        return {}
    line = node_or_top(cycles[0].plan, node).line
    rows = aggregates(
        [c.pk for c in cycles], counted_statuses(include_submitted), line, [indicator.pk]
    )
    return {c.pk: _value(indicator, rows.get(c.pk, {}).get(indicator.pk)) for c in cycles}


def _value(indicator: Indicator, row: dict[str, Any] | None) -> Decimal | None:
    if row is None:
        return None
    if indicator.aggregation == Aggregation.AVERAGE:
        return Decimal(row["avg"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if indicator.aggregation == Aggregation.MAX:
        return Decimal(row["max"])
    return Decimal(row["sum"])


def indicator_totals(
    cycle: ReportingCycle,
    *,
    include_submitted: bool = False,
    previous: ReportingCycle | None = None,
    node: ReportingNode | None = None,
) -> Totals:
    """Every indicator of the cycle's plan with its total over the reports addressed to
    the node (the province level when None), and last year's."""
    statuses = counted_statuses(include_submitted)
    line = node_or_top(cycle.plan, node).line
    indicators = list(
        Indicator.objects.filter(plan_id=cycle.plan_id)
        .select_related("task")
        .order_by("task__number", "position")
    )
    both = aggregates([c.pk for c in (cycle, previous) if c is not None], statuses, line)
    now = both.get(cycle.pk, {})
    before = both.get(previous.pk, {}) if previous is not None else {}
    compared = coverage(cycle, previous, statuses, node) if previous is not None else None
    totals = Totals(include_submitted=include_submitted)
    for indicator in indicators:
        row = now.get(indicator.pk)
        totals.rows.append(
            IndicatorTotal(
                indicator=indicator,
                value=_value(indicator, row),
                reports=row["n"] if row else 0,
                previous=_value(indicator, before.get(indicator.pk)) if previous else None,
                coverage=compared,
            )
        )
    return totals
