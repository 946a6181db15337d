"""Reads of cycles and reports, limited to what the asking user may see.

Reporters see their own organisations' reports. Reviewers and leaders act for a committee
(Ban Tổ chức and Thường trực for the committee they serve) and see what lies under it
(DESIGN §4, "cascade"): those of a province committee every report of its province's plans,
and of the provinces that merged into it; those of a lower committee (a huyện ủy, a
commune's đảng ủy) the reports of the organisations in its subtree. Reviewers act only on
the reports addressed to their own committee (``can_review_report``); the levels above
read them. Everyone else sees nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, F, FilteredRelation, Prefetch, Q, QuerySet, When
from django.utils import timezone

from organisations.lineage import carried_on_by, predecessors_of
from organisations.models import Organisation, Role
from organisations.ordering import usual_order
from organisations.selectors import has_any_role, memberships_of
from organisations.tree import descendants, tops_of
from reports.figures.definitions import expected_everywhere, expected_organisations, on_time_q
from reports.keyset import Section
from reports.models import (
    TALLIED_STATUSES,
    AnnualReport,
    Attachment,
    EventKind,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    SubPlan,
    TaskSection,
)
from tasks.lines import ReportingNode
from tasks.models import Plan


@dataclass(frozen=True)
class Oversight:
    """What a user oversees in one role (or in either): ``plans`` at any level;
    ``whole_plans`` from their top (the user acts for a province committee, so every
    report of the plan is theirs to read); ``committees`` the user acts for, each
    a reporting node whose line (``lines``) is read on demand; ``lower`` those below
    the top, whose subtrees are what the user reads of the other plans."""

    plans: frozenset[int]
    whole_plans: frozenset[int]
    committees: frozenset[int]
    lower: frozenset[int]
    everything: bool = False  # administrators

    def lines(self) -> frozenset[int]:
        """Every committee the user acts for and those merged into them (one query, once)."""
        return self._with_predecessors("_lines", self.committees)

    def lower_lines(self) -> frozenset[int]:
        """The same for the committees below the top only."""
        return self._with_predecessors("_lower_lines", self.lower)

    def _with_predecessors(self, key: str, ids: frozenset[int]) -> frozenset[int]:
        cached = self.__dict__.get(key)
        if cached is None:
            before = predecessors_of(ids)
            cached = frozenset({*ids, *(p.pk for group in before.values() for p in group)})
            object.__setattr__(self, key, cached)
        return cached

    def subtree_q(self, prefix: str = "") -> Q:
        """Organisations under the lower committees (themselves included), as a condition."""
        if not self.lower:
            return Q(pk__in=[])
        return Q(**{f"{prefix}pk__in": descendants(self.lower_lines(), include_self=True)})


def oversight(user, role: str | None = None) -> Oversight:
    """The user's oversight in a role (reviewer or leader), or in either; cached on the
    user object for the request. A role at Ban Tổ chức or Thường trực acts for the
    committee they serve (``Organisation.served_committee_id``). One query for the
    trees' tops, one more only when a province merged into another."""
    key = f"_oversight_{role or 'any'}"
    if hasattr(user, key):
        return getattr(user, key)
    roles = {role} if role else {Role.REVIEWER, Role.LEADER}
    result = Oversight(frozenset(), frozenset(), frozenset(), frozenset())
    if user.is_authenticated and user.is_superuser:
        every = frozenset(Plan.objects.values_list("pk", flat=True))
        result = Oversight(every, every, frozenset(), frozenset(), everything=True)
    elif user.is_authenticated:
        mine = {m.organisation.served_committee_id for m in memberships_of(user) if m.role in roles}
        if mine:
            plans, tops = _oversight_basis(user)
            own = {tops[pk] for pk in mine}
            heads = {pk for pk in mine if tops[pk] == pk}
            # A province that merged into another is overseen by the one that carries on
            # (DESIGN §8): its plans and their history pass to the successor's people.
            # Only the other provinces' tops are looked up, so without a merger no query.
            carried = carried_on_by({tops[i] for _, i in plans} - own)

            def owner(issuer: int) -> int | None:
                top = tops[issuer]
                return top if top in own else carried.get(top)

            result = Oversight(
                plans=frozenset(pk for pk, issuer in plans if owner(issuer) in own),
                whole_plans=frozenset(pk for pk, issuer in plans if owner(issuer) in heads),
                committees=frozenset(mine),
                lower=frozenset(mine - heads),
            )
    setattr(user, key, result)
    return result


def _oversight_basis(user) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """The plans with their issuers, and the top of each committee the user oversees in
    any role and of each issuer: read once per request whatever roles are asked about
    (a page asks for the reviewer's and for either)."""
    if not hasattr(user, "_oversight_basis"):
        served = {
            m.organisation.served_committee_id
            for m in memberships_of(user)
            if m.role in (Role.REVIEWER, Role.LEADER)
        }
        plans = list(Plan.objects.values_list("pk", "issuer_id"))
        user._oversight_basis = (plans, tops_of(served | {issuer for _, issuer in plans}))
    return user._oversight_basis


def plans_overseen_by(user, role: str | None = None) -> frozenset[int]:
    """Ids of the plans whose reports the user reviews or reads as a leader, at any level."""
    return oversight(user, role).plans


def plans_managed_by(user) -> frozenset[int]:
    """Plans whose cycles the user runs: reviewers of the plan's top committee."""
    return oversight(user, Role.REVIEWER).whole_plans


def reporter_organisation_ids(user) -> set[int]:
    return {m.organisation_id for m in memberships_of(user) if m.role == Role.REPORTER}


def can_review(user, plan_id: int) -> bool:
    """Whether the user reviews some reports of the plan (at any level)."""
    return plan_id in plans_overseen_by(user, Role.REVIEWER)


def can_manage(user, plan_id: int) -> bool:
    return plan_id in plans_managed_by(user)


def can_review_report(user, report: AnnualReport) -> bool:
    """Reviewers of the committee the report is addressed to (or of one merged into it),
    and administrators. The levels above read it; they do not act on it."""
    view = oversight(user, Role.REVIEWER)
    if view.everything:
        return True
    if report.cycle.plan_id not in view.plans or report.reports_to_id is None:
        return False
    return report.reports_to_id in view.lines()


def can_report_for(user, organisation_id: int) -> bool:
    return organisation_id in reporter_organisation_ids(user)


def cycles_visible_to(user) -> QuerySet[ReportingCycle]:
    if not has_any_role(user):
        return ReportingCycle.objects.none()
    return ReportingCycle.objects.select_related("plan")


def next_free_year(plan: Plan, this_year: int) -> int:
    """The year a new cycle most likely covers: the first year from this one on without a
    cycle of the plan (a plan has one cycle a year, so the form must not offer a taken one)."""
    taken = set(ReportingCycle.objects.filter(plan=plan).values_list("year", flat=True))
    year = this_year
    while year in taken:
        year += 1
    return year


def _overseen(view: Oversight, plan_field: str, prefix: str) -> Q:
    """What an overseer reads: every row of the plans overseen from the top, and rows of
    organisations under the lower committees for the other plans overseen."""
    condition = Q(**{f"{plan_field}__in": view.whole_plans})
    rest = view.plans - view.whole_plans
    if rest and view.lower:
        condition |= Q(**{f"{plan_field}__in": rest}) & view.subtree_q(prefix)
    return condition


def reports_visible_to(user) -> QuerySet[AnnualReport]:
    if not user.is_authenticated:
        return AnnualReport.objects.none()
    if user.is_superuser:
        visible = AnnualReport.objects.all()
    else:
        visible = AnnualReport.objects.filter(
            Q(organisation_id__in=reporter_organisation_ids(user))
            | _overseen(oversight(user), "cycle__plan_id", "organisation__")
        )
    return visible.select_related("cycle__plan", "organisation", "last_saved_by")


def lineage_reports_for(user, organisation: Organisation) -> list[AnnualReport]:
    """The reports the user may read of this organisation and of the organisations it
    succeeds (DESIGN §8), newest year first, each with the organisation it was written
    by. A fixed number of queries however long the lineage."""
    line = [
        organisation.pk,
        *(p.pk for p in predecessors_of([organisation.pk]).get(organisation.pk, [])),
    ]
    return share_plans(
        reports_visible_to(user)
        .filter(organisation_id__in=line)
        .select_related("reports_to")
        .prefetch_related("organisation__former_names")
        .order_by("-cycle__year", "cycle__plan__number", "organisation__code")
    )


def share_plans(reports: Iterable[AnnualReport]) -> list[AnnualReport]:
    """The reports, their cycles pointing at one object per plan: what a plan caches (its
    reporting lines, read for each report's due date) is then read once per plan, not once
    per report."""
    plans: dict[int, Plan] = {}
    result = list(reports)
    for report in result:
        report.cycle.plan = plans.setdefault(report.cycle.plan_id, report.cycle.plan)
    return result


def report_with_content(report: AnnualReport) -> AnnualReport:
    """The report with its sections, figures, attachments and history, in fixed queries."""
    return (
        AnnualReport.objects.select_related(
            "cycle__plan__issuer", "organisation__parent", "reports_to", "last_saved_by"
        )
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=TaskSection.objects.select_related("task")
                .prefetch_related("task__actions__actors", "task__indicators")
                .order_by("task__number"),
            ),
            Prefetch("values", queryset=_values_queryset()),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(removed_at__isnull=True).select_related(
                    "uploaded_by"
                ),
            ),
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
        )
        .get(pk=report.pk)
    )


def _values_queryset():
    from reports.models import IndicatorValue

    return IndicatorValue.objects.select_related("indicator__task").order_by(
        "indicator__task__number", "indicator__position"
    )


def submissions_of(report: AnnualReport) -> list[ReportEvent]:
    """The report's submission events, oldest first (uses prefetched events)."""
    return [e for e in report.events.all() if e.kind == EventKind.SUBMITTED]


def latest_return(report: AnnualReport) -> ReportEvent | None:
    """The last return or reopening, whose comments the reporter must answer."""
    for event in reversed(list(report.events.all())):
        if event.kind in (EventKind.RETURNED, EventKind.REOPENED):
            return event
        if event.kind == EventKind.SUBMITTED:
            return None
    return None


def inbox_cycles(user) -> list[ReportingCycle]:
    """The cycles of the plans the user oversees, newest year first (the inbox's years)."""
    view = oversight(user)
    cycles = ReportingCycle.objects.select_related("plan").order_by("-year", "plan__number")
    if not view.everything:
        cycles = cycles.filter(plan_id__in=view.plans)
    return list(cycles)


def current_cycle(cycles: list[ReportingCycle]) -> ReportingCycle | None:
    """The cycle people mean by "this year": the newest open one, else the newest."""
    return next((c for c in cycles if c.is_open), cycles[0] if cycles else None)


# What waits for the reviewer comes first: submitted, then returned, drafts, accepted last.
INBOX_QUEUE = (
    ReportStatus.SUBMITTED,
    ReportStatus.RETURNED,
    ReportStatus.DRAFT,
    ReportStatus.ACCEPTED,
)


def inbox_for(
    user,
    *,
    status: str = "",
    lateness: str = "",
    cycle_id: int | None = None,
    unit: str = "",
) -> QuerySet[AnnualReport]:
    """Reports a reviewer looks at, filterable by cycle, status, lateness and unit (part of
    its name, or its code), in the usual order of their organisations: the order within
    each of ``inbox_sections``."""
    view = oversight(user)
    reports = AnnualReport.objects.all()
    if not view.everything:
        reports = reports.filter(cycle__plan_id__in=view.plans, reports_to_id__in=view.lines())
    reports = reports.select_related("cycle__plan", "organisation", "last_saved_by").order_by(
        *usual_order("organisation__")
    )
    if cycle_id:
        reports = reports.filter(cycle_id=cycle_id)
    if unit.strip():
        reports = reports.filter(
            Q(organisation__name__icontains=unit.strip())
            | Q(organisation__short_name__icontains=unit.strip())
            | Q(organisation__code__iexact=unit.strip())
        )
    if status:
        reports = reports.filter(status=status)
    if lateness in {"on_time", "late"}:
        # Each report against its own deadline (its cycle's, or its level's earlier one).
        reports = reports.filter(first_submitted_at__isnull=False)
        by_plan: dict[int, list[ReportingCycle]] = {}
        for c in ReportingCycle.objects.filter(
            pk__in=reports.values("cycle_id").distinct()
        ).select_related("plan"):
            by_plan.setdefault(c.plan_id, []).append(c)
        in_time = Q(pk__in=[])
        for cycles in by_plan.values():
            in_time |= on_time_q(cycles)
        reports = reports.filter(in_time) if lateness == "on_time" else reports.exclude(in_time)
    return reports


def inbox_sections(cycles: Iterable[ReportingCycle], *, status: str = "") -> list[Section]:
    """The inbox's parts, in the order a reviewer reads them: the newest cycle first (by
    due date), in each what waits first (``INBOX_QUEUE``); within each part, ``inbox_for``'s
    order (the usual order of organisations). One keyset section per due date and status,
    each read through the index on that order, so a page of the national list costs what
    a page of a district's does (reports.keyset)."""
    by_due: dict[dt.date, list[int]] = {}
    for cycle in cycles:
        by_due.setdefault(cycle.due_on, []).append(cycle.pk)
    statuses = [s for s in INBOX_QUEUE if s == status] if status else INBOX_QUEUE
    return [
        Section(
            place=(-due.toordinal(), INBOX_QUEUE.index(s)),
            condition=Q(cycle_id__in=ids, status=s),
        )
        for due, ids in sorted(by_due.items(), reverse=True)
        for s in statuses
    ]


def subplans_visible_to(user) -> QuerySet[SubPlan]:
    if not user.is_authenticated:
        return SubPlan.objects.none()
    if user.is_superuser:
        visible = SubPlan.objects.all()
    else:
        visible = SubPlan.objects.filter(
            Q(organisation_id__in=reporter_organisation_ids(user))
            | _overseen(oversight(user), "plan_id", "organisation__")
        )
    return visible.select_related("plan", "organisation", "registered_by")


@dataclass
class ExpectedRow:
    organisation: Organisation
    report: AnnualReport | None
    deadline: dt.datetime

    @property
    def overdue(self) -> bool:
        """Past the deadline and still awaited: no report, a draft, or a report returned
        and not sent back (as the reminders see it, reports.notifications.awaiting)."""
        handed_in = self.report is not None and self.report.status in TALLIED_STATUSES
        return not handed_in and timezone.now() > self.deadline


def expected_with_report(
    cycle: ReportingCycle,
    today: dt.date | None = None,
    *,
    with_reports: bool = False,
    node: ReportingNode | None = None,
    everywhere: bool = False,
) -> QuerySet[Organisation]:
    """The cycle's expected organisations, each with its report of the cycle joined as
    ``cycle_report`` (NULLs when none) and that report's id as ``report_pk``: overdue
    ones first (not submitted and the due day over), then in the usual order
    (organisations.ordering). A queryset, so callers
    filter, count and slice it in the database rather than build one object per
    organisation. ``with_reports`` reads the reports in the same query (for
    ``expected_rows``). The organisations are those reporting to ``node`` (the plan's
    top committee when None), or at every level with ``everywhere``."""
    today = today or timezone.localdate()
    expected = expected_everywhere(cycle) if everywhere else expected_organisations(cycle, node)
    rows = expected.annotate(
        cycle_report=FilteredRelation("reports", condition=Q(reports__cycle=cycle)),
        report_pk=F("cycle_report__pk"),
    )
    if with_reports:
        rows = rows.select_related("cycle_report", "successor")
    if today > timezone.localtime(cycle.deadline).date():
        return rows.order_by(
            Case(When(cycle_report__first_submitted_at__isnull=True, then=0), default=1),
            *usual_order(),
        )
    return rows.order_by(*usual_order())


def expected_rows(
    organisations: Iterable[Organisation], cycle: ReportingCycle
) -> list[ExpectedRow]:
    """ExpectedRows for (one page of) ``expected_with_report(..., with_reports=True)``,
    in its order; no further query."""
    rows = []
    for organisation in organisations:
        report = getattr(organisation, "cycle_report", None)  # not set when there is none
        if report is not None:
            report.cycle = cycle
            report.organisation = organisation  # its level's due date reads the kind
        rows.append(
            ExpectedRow(
                organisation=organisation,
                report=report,
                deadline=cycle.deadline_for(organisation.kind),
            )
        )
    return rows
