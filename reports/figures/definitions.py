"""The figures of a reporting cycle, exactly as DESIGN §5 defines them.

- Expected reports: the organisations in the plan's reporting scope that exist on the
  period's last day, plus any in scope that closed during the period after submitting a
  report for the cycle, unless its successor is itself expected. Written out:

  * opened during the period (a merger's new committee, a split's heirs): expected, and
    answers for the whole period, its predecessors' months included;
  * closed during the period (valid_to before the last day) with nothing submitted: not
    expected; its successor, if any, answers for its area, and if none is left (a body
    dissolved) there is nobody to ask;
  * closed during the period after submitting: expected (and so counted as reported),
    because what it reported must not vanish from the figures; but not when its successor
    is expected too, since the successor's report covers the same area and the year would
    count it twice;
  * closed on or after the last day (even before the due date): expected, it existed for
    the whole period; it is no longer reminded once closed (``reports.notifications``).

  So nobody is counted twice, a merger never raises the number expected, and a cycle's
  figures depend only on the organisations' dates, not on the day they are read: applying
  a merger today leaves every earlier cycle's figures as they were.
- Actual reports: expected organisations whose report was submitted at least once.
- On time: first submission at or before the end of the due day (Asia/Ho_Chi_Minh).
- Completeness = actual ÷ expected, timeliness = on time ÷ expected, accepted ÷ expected.
- Indicator totals sum accepted reports by default; `include_submitted` adds the ones
  submitted and waiting for review. They are read from running totals kept at each
  transition (``reports.figures.tallies``), never summed over every figure at request time.

Levels (DESIGN §4, "cascade"): each organisation reports to one committee (tasks.lines),
and every figure above is counted for one committee's level — the organisations whose
reports go to it — never over the whole tree at once, so a district's figures and its
grassroots' are never added together. ``node`` None means the plan's top committee (the
province's level); ``expected_everywhere`` lists every level, for reminders.

Every page, export, API answer and the yearly summary read their figures from here, so
they cannot disagree. Each function runs a fixed number of aggregate queries, whatever the
number of organisations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from organisations.lineage import carried_on_by
from organisations.models import Organisation, active_during_q
from reports.figures import closed
from reports.models import AnnualReport, ReportingCycle, ReportStatus
from tasks.lines import ReportingNode, plan_lines, top_node
from tasks.models import Plan
from tasks.selectors import Scope, existing_on_q, reporting_organisations, reporting_scope

DateLike = dt.date | F  # a day, or an expression such as F("cycle__period_end")
HUNDRED = Decimal(100)


def rate(part: int, whole: int) -> Decimal:
    """part ÷ whole as a percentage with one decimal; 0 when nothing is expected."""
    if whole <= 0:
        return Decimal(0)
    value = (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return min(value, HUNDRED)


def _closed_q(scope: Scope, start: DateLike, end: DateLike, submitted: Q, prefix: str = "") -> Q:
    """The exception of the rule (module docstring): in scope, closed during the period,
    submitted, and no expected successor."""
    successor = f"{prefix}successor__"
    successor_expected = (
        Q(**{f"{prefix}successor__isnull": False})
        & scope.q(successor)
        & existing_on_q(end, successor)
    )
    return (
        scope.q(prefix)
        & active_during_q(start, end, prefix)
        & ~existing_on_q(end, prefix)
        & submitted
        & ~successor_expected
    )


def _submitted_exists(cycle_id: int | F) -> Exists:
    return Exists(
        AnnualReport.objects.filter(
            cycle_id=cycle_id, organisation_id=OuterRef("pk"), first_submitted_at__isnull=False
        )
    )


def expected_q(cycle: ReportingCycle, scope: Scope) -> Q:
    """The rule as a condition on organisations, for one cycle."""
    start, end = cycle.period_start, cycle.period_end
    return (scope.q() & existing_on_q(end)) | _closed_q(
        scope, start, end, Q(_submitted_exists(cycle.pk))
    )


def expected_report_q(scope: Scope) -> Q:
    """The rule as a condition on reports, whatever their cycle: the report's organisation
    is expected by the report's cycle."""
    start, end, org = F("cycle__period_start"), F("cycle__period_end"), "organisation__"
    return (scope.q(org) & existing_on_q(end, org)) | _closed_q(
        scope, start, end, Q(first_submitted_at__isnull=False), org
    )


def node_or_top(plan: Plan, node: ReportingNode | None) -> ReportingNode:
    """The node asked for, or the plan's top node (the province level)."""
    return node if node is not None else top_node(plan)


def addressed_q(plan: Plan, node: ReportingNode | None, prefix: str = "") -> Q:
    """Organisations whose reports go to the node (the top node when None)."""
    return node_or_top(plan, node).addressed_q(plan_lines(plan), prefix)


def expected_everywhere(cycle: ReportingCycle) -> QuerySet[Organisation]:
    """Every organisation the cycle expects, at every level (module docstring): the
    reminders' list. Ordered by code."""
    scope = reporting_scope(cycle.plan)
    return (
        reporting_organisations(cycle.plan, cycle.period_end, scope=scope)
        | Organisation.objects.filter(
            _closed_q(scope, cycle.period_start, cycle.period_end, Q(_submitted_exists(cycle.pk)))
        )
    ).order_by("code")


def expected_organisations(
    cycle: ReportingCycle, node: ReportingNode | None = None
) -> QuerySet[Organisation]:
    """The organisations the cycle expects to report to the node (the plan's top node when
    None): one level of the cascade, ordered by code."""
    return expected_everywhere(cycle).filter(addressed_q(cycle.plan, node))


def on_time_q(cycles: Sequence[ReportingCycle], prefix: str = "") -> Q:
    """Reports first submitted by their own deadline (DESIGN §5), as a condition on
    reports of these cycles (of one plan): each cycle has its deadline, and a level may be
    due some days before it (tasks.lines). ``prefix`` reaches the reports through a
    relation."""
    if not cycles:
        return Q(pk__in=[])
    lines = plan_lines(cycles[0].plan)
    early = sorted(kind for kind in lines.by_kind if lines.days_before_due(kind))
    cycle, kind, first = (
        f"{prefix}cycle_id",
        f"{prefix}organisation__kind",
        f"{prefix}first_submitted_at__lte",
    )
    condition = Q(pk__in=[])
    for c in cycles:
        condition |= Q(**{cycle: c.pk, first: c.deadline}) & ~Q(**{f"{kind}__in": early})
        for each in early:
            condition |= Q(**{cycle: c.pk, kind: each, first: c.deadline_for(each)})
    return condition


@dataclass(frozen=True)
class CycleFigures:
    expected: int
    actual: int
    on_time: int
    accepted: int
    # The expected organisations' reports in the other statuses (for the status chart).
    submitted: int = 0
    returned: int = 0
    draft: int = 0

    @property
    def late(self) -> int:
        return self.actual - self.on_time

    @property
    def missing(self) -> int:
        return self.expected - self.actual

    @property
    def completeness(self) -> Decimal:
        return rate(self.actual, self.expected)

    @property
    def timeliness(self) -> Decimal:
        return rate(self.on_time, self.expected)

    @property
    def acceptance(self) -> Decimal:
        return rate(self.accepted, self.expected)


def cycles_figures(
    cycles: Sequence[ReportingCycle], node: ReportingNode | None = None
) -> dict[int, CycleFigures]:
    """The figures of cycles of one plan at one node (the top when None), by cycle id. A
    fixed number of queries however many cycles and organisations: closed cycles' stored
    figures in one query (``reports.figures.closed``), the others counted in two, and the
    closed ones counted for the first time stored in one more."""
    if not cycles:
        return {}
    node = node_or_top(cycles[0].plan, node)
    key = node.organisation.pk
    known = closed.stored(cycles, key)
    result = {pk: CycleFigures(**figures) for pk, figures in known.items()}
    missing = [c for c in cycles if c.pk not in known]
    if missing:
        counted = _counted(missing, node)
        closed.store({c: asdict(counted[c.pk]) for c in missing}, key)
        result.update(counted)
    return {c.pk: result[c.pk] for c in cycles}


def _counted(cycles: Sequence[ReportingCycle], node: ReportingNode) -> dict[int, CycleFigures]:
    """The figures of cycles of one plan at one node, counted: the plan's scope and
    lines, one pass over the organisations counting each cycle's expected ones, and one
    aggregate of the reports grouped by cycle."""
    plan = cycles[0].plan
    scope = reporting_scope(plan)
    expected = Organisation.objects.filter(scope.q(), addressed_q(plan, node)).aggregate(
        **{f"c{c.pk}": Count("pk", filter=expected_q(c, scope)) for c in cycles}
    )
    in_time = Case(When(on_time_q(cycles), then=Value(1)), default=Value(0))
    rows = (
        AnnualReport.objects.filter(cycle__in=[c.pk for c in cycles])
        .filter(expected_report_q(scope), addressed_q(plan, node, "organisation__"))
        .values("cycle_id")
        .annotate(
            actual=Count("pk", filter=Q(first_submitted_at__isnull=False)),
            # Not "on_time": that name is AnnualReport's own property.
            in_time=Sum(in_time),
            accepted=Count("pk", filter=Q(status=ReportStatus.ACCEPTED)),
            submitted=Count("pk", filter=Q(status=ReportStatus.SUBMITTED)),
            returned=Count("pk", filter=Q(status=ReportStatus.RETURNED)),
            draft=Count("pk", filter=Q(status=ReportStatus.DRAFT)),
        )
        .order_by()
    )
    counts = {row["cycle_id"]: row for row in rows}
    return {
        c.pk: CycleFigures(
            expected=expected[f"c{c.pk}"],
            actual=row["actual"],
            on_time=row["in_time"] or 0,  # a Sum over no rows is NULL
            accepted=row["accepted"],
            submitted=row["submitted"],
            returned=row["returned"],
            draft=row["draft"],
        )
        if (row := counts.get(c.pk)) is not None
        else CycleFigures(expected=expected[f"c{c.pk}"], actual=0, on_time=0, accepted=0)
        for c in cycles
    }


def cycle_figures(cycle: ReportingCycle, node: ReportingNode | None = None) -> CycleFigures:
    """One cycle's figures at a node (see ``cycles_figures``)."""
    return cycles_figures([cycle], node)[cycle.pk]


def counted_statuses(include_submitted: bool) -> tuple[str, ...]:
    if include_submitted:
        return (ReportStatus.ACCEPTED, ReportStatus.SUBMITTED)
    return (ReportStatus.ACCEPTED,)


@dataclass(frozen=True)
class Coverage:
    """What a year-on-year change compares: how many organisations have a counted report
    in each year, last year's counted through their successors (a merger's two committees
    are one line this year), and whether this year's cycle is still open.

    When this year holds fewer than last year the change would compare a part with a
    whole (the early weeks of a cycle against a finished one show a fall of ninety-odd
    per cent that nobody made); pages then say what each side holds instead of a change."""

    previous_year: int
    reports: int
    previous_reports: int
    open: bool

    @property
    def partial(self) -> bool:
        return self.reports < self.previous_reports

    @property
    def text(self) -> str:
        values = {"year": self.previous_year, "before": self.previous_reports, "now": self.reports}
        if self.open:
            return _("so với %(year)s: %(before)s báo cáo; năm nay mới có %(now)s báo cáo") % values
        return _("so với %(year)s: %(before)s báo cáo; năm nay có %(now)s báo cáo") % values


def coverage(
    cycle: ReportingCycle,
    previous: ReportingCycle,
    statuses: tuple[str, ...],
    node: ReportingNode | None = None,
) -> Coverage:
    """The two sides of a year-on-year comparison (``Coverage``). Counted in the database:
    only reports of organisations that have a successor are read one by one, to follow
    them to the organisation that carries them on; two queries when nothing merged,
    whatever the number of organisations."""
    counted = AnnualReport.objects.filter(
        cycle__in=[cycle, previous],
        status__in=statuses,
        reports_to_id__in=node_or_top(cycle.plan, node).line,
    )
    # One report per organisation and cycle, so counting reports counts organisations.
    plain = dict(
        counted.filter(organisation__successor__isnull=True)
        .values("cycle_id")
        .annotate(n=Count("pk"))
        .values_list("cycle_id", "n")
    )
    merged = list(
        counted.filter(organisation__successor__isnull=False).values_list(
            "cycle_id", "organisation_id"
        )
    )
    lines = carried_on_by(pk for _, pk in merged)
    # A successor that reported under its own name already counts among the plain ones.
    own = (
        set(
            counted.filter(organisation_id__in=set(lines.values())).values_list(
                "cycle_id", "organisation_id"
            )
        )
        if lines
        else set()
    )

    def reports(c: ReportingCycle) -> int:
        inherited = {lines[pk] for cycle_id, pk in merged if cycle_id == c.pk}
        return plain.get(c.pk, 0) + len({line for line in inherited if (c.pk, line) not in own})

    return Coverage(
        previous_year=previous.year,
        reports=reports(cycle),
        previous_reports=reports(previous),
        open=cycle.is_open,
    )


def previous_cycle(cycle: ReportingCycle) -> ReportingCycle | None:
    return (
        ReportingCycle.objects.filter(plan_id=cycle.plan_id, year__lt=cycle.year)
        .order_by("-year")
        .first()
    )
