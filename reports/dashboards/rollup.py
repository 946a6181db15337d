"""The leaders' rollup of a plan: totals, levels, comparison and trends."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max, Q, Sum, Window
from django.urls import reverse
from django.utils.translation import gettext as _

from organisations.models import Organisation
from organisations.ordering import usual_order
from reports.dashboards.common import (
    Card,
    as_number,
    rate_cards,
)
from reports.dashboards.panels import LEVEL_COLOURS
from reports.dashboards.rollup_lines import (
    SHOWN,
    ComparisonRow,
    LevelCount,
    LevelLine,
    SectionLink,
    TaskBlock,
    TotalLine,
    YearPoint,
)
from reports.figures.definitions import (
    CycleFigures,
    counted_statuses,
    cycles_figures,
    node_or_top,
    previous_cycle,
)
from reports.figures.tallies import refresh_stale_maxima
from reports.figures.totals import Totals, indicator_series, indicator_totals
from reports.models import (
    AnnualReport,
    IndicatorTally,
    IndicatorValue,
    Level,
    LevelTally,
    ReportingCycle,
    TaskSection,
)
from tasks.lines import COMMITTEES, ReportingNode, plan_lines
from tasks.models import Aggregation, Indicator, Plan

# The provincial rollup of a plan ----------------------------------------------------------


@dataclass
class Rollup:
    plan: Plan
    cycles: list[ReportingCycle]
    cycle: ReportingCycle
    previous: ReportingCycle | None
    include_submitted: bool
    totals: Totals
    tasks: list[TaskBlock]
    indicator: Indicator | None
    comparison: list[ComparisonRow]
    trend: list[YearPoint]
    compared: int = 0  # counted organisations for the comparison, shown or not
    node: ReportingNode | None = None  # the committee whose level this is
    by_level: list[LevelLine] = field(default_factory=list)
    has_below: bool = False  # some committee reports to the node

    @property
    def compared_more(self) -> int:
        return max(0, self.compared - len(self.comparison))

    @property
    def basis(self) -> str:
        if self.include_submitted:
            return _("Số liệu tính trên các báo cáo đã tiếp nhận và đã gửi (chưa tiếp nhận).")
        return _("Số liệu tính trên các báo cáo đã được tiếp nhận.")

    @property
    def lines(self) -> list[TotalLine]:
        return [line for block in self.tasks for line in block.lines]

    @property
    def figures(self) -> CycleFigures:
        return next(p.figures for p in self.trend if p.cycle.pk == self.cycle.pk)

    @property
    def rates(self) -> list[Card]:
        return rate_cards(self.figures)

    def levels_chart(self) -> dict:
        return {
            "kind": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": [_("Nhiệm vụ %(n)s") % {"n": b.task.number} for b in self.tasks],
            "datasets": [
                {
                    "label": str(label),
                    "data": [b.levels[i].count for b in self.tasks],
                    "colors": [LEVEL_COLOURS[level]],
                }
                for i, (level, label) in enumerate(Level.choices)
            ],
        }

    def comparison_chart(self) -> dict:
        shown = [row for row in self.comparison if row.value is not None]
        return {
            "kind": "bar",
            "horizontal": True,
            "labels": [row.organisation.display_name for row in shown],
            "datasets": [
                {
                    "label": self.indicator.name if self.indicator else "",
                    "data": [as_number(row.value) for row in shown],
                    "colors": ["#a50e0e"],
                }
            ],
        }

    def trend_chart(self) -> dict:
        return {
            "kind": "line",
            "labels": [str(p.cycle.year) for p in self.trend],
            "datasets": [
                {
                    "label": self.indicator.name if self.indicator else "",
                    "data": [as_number(p.value) for p in self.trend],
                    "colors": ["#a50e0e"],
                }
            ],
        }

    def rates_chart(self) -> dict:
        return {
            "kind": "line",
            "percent": True,
            "labels": [str(p.cycle.year) for p in self.trend],
            "datasets": [
                {
                    "label": _("Tỷ lệ đầy đủ"),
                    "data": [float(p.figures.completeness) for p in self.trend],
                    "colors": ["#0d6efd"],
                },
                {
                    "label": _("Tỷ lệ đúng hạn"),
                    "data": [float(p.figures.timeliness) for p in self.trend],
                    "colors": ["#198754"],
                },
            ],
        }


def _task_blocks(
    cycle: ReportingCycle, totals: Totals, statuses: tuple[str, ...], line: frozenset[int]
) -> list[TaskBlock]:
    """Per task: its indicators' totals, the spread of self-assessed levels among the
    counted reports (from the running totals), and links to the sections of the first
    SHOWN counted organisations by code. Three queries."""
    tasks = list(cycle.plan.tasks.order_by("number"))
    lines: dict[int, list[TotalLine]] = {task.pk: [] for task in tasks}
    for total in totals.rows:
        lines.setdefault(total.indicator.task_id, []).append(TotalLine(total))
    counts: dict[int, dict[str, int]] = {task.pk: dict.fromkeys(Level.values, 0) for task in tasks}
    reports: dict[int, int] = dict.fromkeys(counts, 0)
    tallied = (
        LevelTally.objects.filter(cycle=cycle, status__in=statuses, node__in=line)
        .values_list("task_id", "level")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for task_id, level, n in tallied:
        if task_id in counts:
            reports[task_id] += n
            if level in counts[task_id]:
                counts[task_id][level] += n
    first = (
        AnnualReport.objects.filter(cycle=cycle, status__in=statuses, reports_to_id__in=line)
        .order_by(*usual_order("organisation__"))
        .values("pk")[:SHOWN]
    )
    sections = (
        TaskSection.objects.filter(report__in=first)
        .values(
            "task_id",
            "task__number",
            "level",
            "report_id",
            "report__organisation__name",
            "report__organisation__short_name",
        )
        .order_by("task__number", *usual_order("report__organisation__"))
    )
    labels = dict(Level.choices)
    links: dict[int, list[SectionLink]] = {task.pk: [] for task in tasks}
    urls: dict[int, str] = {}
    for s in sections:
        if s["report_id"] not in urls:
            urls[s["report_id"]] = reverse("reports:report_detail", args=[s["report_id"]])
        links.setdefault(s["task_id"], []).append(
            SectionLink(
                organisation=s["report__organisation__short_name"]
                or s["report__organisation__name"],
                level=s["level"],
                level_label=str(labels.get(s["level"], _("Chưa tự đánh giá"))),
                url=f"{urls[s['report_id']]}#nhiem-vu-{s['task__number']}",
            )
        )
    return [
        TaskBlock(
            task=task,
            lines=lines[task.pk],
            levels=[
                LevelCount(
                    key=level,
                    label=str(label),
                    count=counts[task.pk][level],
                    colour=LEVEL_COLOURS[level],
                )
                for level, label in Level.choices
            ],
            sections=links[task.pk],
            reports=reports[task.pk],
        )
        for task in tasks
    ]


def _comparison(
    cycle: ReportingCycle,
    indicator: Indicator | None,
    statuses: tuple[str, ...],
    line: frozenset[int],
) -> tuple[list[ComparisonRow], int]:
    """The SHOWN counted organisations with the largest figure for one indicator (no
    figure last; equal figures by code), and how many counted organisations there are.
    Two queries: the figures, with the count as a window over every row taken before the
    limit (joining only the reports, which keeps it fast at national size), then the
    organisations of the rows kept."""
    if indicator is None:
        return [], 0
    top = list(
        IndicatorValue.objects.filter(
            report__cycle=cycle,
            report__status__in=statuses,
            report__reports_to_id__in=line,
            indicator=indicator,
        )
        .annotate(organisation_id=F("report__organisation_id"), counted=Window(Count("pk")))
        .order_by(F("value").desc(nulls_last=True), "report__organisation_id")
        .values_list("value", "report_id", "organisation_id", "counted")[:SHOWN]
    )
    organisations = Organisation.objects.in_bulk([row[2] for row in top])
    rows = [
        ComparisonRow(
            organisation=organisations[organisation_id],
            value=value,
            url=reverse("reports:report_detail", args=[report_id]),
        )
        for value, report_id, organisation_id, _counted in top
    ]
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.organisation.code))
    return rows, top[0][3] if top else 0


def _tally_value(
    indicator: Indicator, total: Decimal, count: int, maximum: Decimal | None
) -> Decimal | None:
    """An indicator's figure from summed running totals, by its aggregation (as
    ``reports.figures.definitions`` reads the node's own)."""
    if count <= 0:
        return None
    if indicator.aggregation == Aggregation.AVERAGE:
        return (Decimal(total) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if indicator.aggregation == Aggregation.MAX:
        return maximum
    return Decimal(total)


def levels_compared(
    cycle: ReportingCycle, totals: Totals, statuses: tuple[str, ...], node: ReportingNode
) -> tuple[list[LevelLine], bool]:
    """The node's own totals (already read) beside the level below: the running totals
    of the reports addressed to the committees that report to the node, summed in the
    database over those committees (one query; the committees are a subquery, so their
    number does not matter). Never a sum over the figures themselves."""
    children = Organisation.objects.filter(
        node.addressed_q(plan_lines(cycle.plan)), kind__in=COMMITTEES
    ).values("pk")

    def read() -> dict[int, dict]:
        rows = (
            IndicatorTally.objects.filter(cycle=cycle, status__in=statuses, node__in=children)
            .values("indicator_id")
            .annotate(
                total=Sum("total"),
                n=Sum("count"),
                maximum=Max("maximum", filter=Q(count__gt=0)),
                stale=Count("pk", filter=Q(maximum_stale=True)),
            )
            .order_by()
        )
        return {row["indicator_id"]: row for row in rows}

    below = read()
    if any(row["stale"] for row in below.values()):
        refresh_stale_maxima([cycle.pk])
        below = read()
    lines = []
    for total in totals.rows:
        row = below.get(total.indicator.pk)
        lines.append(
            LevelLine(
                indicator=total.indicator,
                own=total.value,
                own_reports=total.reports,
                below=_tally_value(total.indicator, row["total"], row["n"], row["maximum"])
                if row
                else None,
                below_reports=row["n"] if row and row["n"] > 0 else 0,
            )
        )
    return lines, bool(below)


def plan_cycles(plan: Plan) -> list[ReportingCycle]:
    """The plan's cycles, oldest first."""
    cycles = list(ReportingCycle.objects.filter(plan=plan).order_by("year"))
    for cycle in cycles:
        cycle.plan = plan
    return cycles


def plan_rollup(
    plan: Plan,
    cycles: list[ReportingCycle],
    *,
    year: int | None = None,
    include_submitted: bool = False,
    indicator_code: str = "",
    node: ReportingNode | None = None,
) -> Rollup | None:
    """The rollup of a plan for one year (the latest when the year is not one of the
    plan's cycles) over the reports addressed to one committee (the province's when
    None); None when the plan has no cycle yet."""
    if not cycles:
        return None
    node = node_or_top(plan, node)
    cycle = next((c for c in cycles if c.year == year), cycles[-1])
    previous = previous_cycle(cycle)
    totals = indicator_totals(
        cycle, include_submitted=include_submitted, previous=previous, node=node
    )
    statuses = counted_statuses(include_submitted)
    by_code = totals.by_code()
    chosen = by_code.get(indicator_code) or (totals.rows[0] if totals.rows else None)
    indicator = chosen.indicator if chosen else None
    figures = cycles_figures(cycles, node)
    series = (
        indicator_series(cycles, indicator, include_submitted=include_submitted, node=node)
        if indicator is not None
        else {}
    )
    trend = [
        YearPoint(cycle=each, figures=figures[each.pk], value=series.get(each.pk))
        for each in cycles
    ]
    comparison, compared = _comparison(cycle, indicator, statuses, node.line)
    by_level, has_below = levels_compared(cycle, totals, statuses, node)
    return Rollup(
        plan=plan,
        cycles=cycles,
        cycle=cycle,
        previous=previous,
        include_submitted=include_submitted,
        totals=totals,
        tasks=_task_blocks(cycle, totals, statuses, node.line),
        indicator=indicator,
        comparison=comparison,
        compared=compared,
        trend=trend,
        node=node,
        by_level=by_level,
        has_below=has_below,
    )
