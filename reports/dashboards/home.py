"""What waits for someone who oversees a plan, for the home page: at their own level of
the cascade and for the plan's current cycle, the reports to review, the late units, the
rates, and the latest yearly summary. A fixed number of queries per plan, whatever the
number of organisations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from organisations.models import Role
from reports.access import get_node_for_user
from reports.figures.definitions import CycleFigures, cycle_figures
from reports.models import ReportingCycle, ReportStatus, SummaryDraft, YearlySummary
from reports.notifications.late import late_units
from reports.selectors import current_cycle, inbox_for, oversight
from tasks.lines import ReportingNode


@dataclass(frozen=True)
class LatestSummary:
    summary: YearlySummary
    has_draft: bool


@dataclass(frozen=True)
class OverseenCycle:
    """One plan's current cycle as one overseer sees it from their level."""

    cycle: ReportingCycle
    node: ReportingNode
    figures: CycleFigures
    reviews: bool  # reviews this level (a leader only reads it)
    to_review: int  # submitted reports addressed to the user's committees, not yet acted on
    late: int  # units of the level past their deadline with nothing handed in
    # The plan's latest yearly summary (the province's people read summaries only).
    summary: LatestSummary | None

    @property
    def completeness(self) -> Decimal:
        return self.figures.completeness

    @property
    def timeliness(self) -> Decimal:
        return self.figures.timeliness

    @property
    def level_query(self) -> str:
        """The ``don_vi`` parameter that keeps the dashboard and rollup at this level."""
        return "" if self.node.top else self.node.organisation.code


def overseen_cycles(user, cycles: list[ReportingCycle]) -> list[OverseenCycle]:
    """For each plan the user oversees among ``cycles`` (newest first), its current cycle
    (the newest open one, else the newest) at the user's own level."""
    by_plan: dict[int, list[ReportingCycle]] = {}
    for cycle in cycles:
        by_plan.setdefault(cycle.plan_id, []).append(cycle)
    reviewing = oversight(user, Role.REVIEWER)
    result = []
    for plan_cycles in by_plan.values():
        current = current_cycle(plan_cycles)
        if current is None:
            continue
        cycle = current
        node = get_node_for_user(user, cycle.plan)
        result.append(
            OverseenCycle(
                cycle=cycle,
                node=node,
                figures=cycle_figures(cycle, node),
                reviews=reviewing.everything or node.pk in reviewing.lines(),
                to_review=inbox_for(user, status=ReportStatus.SUBMITTED, cycle_id=cycle.pk)
                .order_by()
                .count(),
                late=late_units(cycle, node).order_by().count(),
                summary=_latest_summary(cycle) if node.top else None,
            )
        )
    return result


def _latest_summary(cycle: ReportingCycle) -> LatestSummary | None:
    summary = (
        YearlySummary.objects.filter(cycle__plan_id=cycle.plan_id)
        .select_related("cycle__plan")
        .order_by("-cycle__year")
        .first()
    )
    if summary is None:
        return None
    return LatestSummary(
        summary=summary,
        has_draft=SummaryDraft.objects.filter(cycle_id=summary.cycle_id).exists(),
    )
