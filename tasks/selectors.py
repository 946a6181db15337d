"""Reads of plan content, limited to what the asking user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from organisations.models import Organisation, OrganisationKind, active_during_q
from organisations.selectors import has_any_role

from .models import Duty, DutyParticipant, Plan, ReportingScope, Task


def plans_visible_to(user) -> QuerySet[Plan]:
    """Plan content is read by everyone who has a role; outsiders see no plan at all."""
    if not has_any_role(user):
        return Plan.objects.none()
    return Plan.objects.select_related("issuer")


def get_plan_for_user(user, code: str) -> Plan:
    """The plan with this code if the user may read it; 404 otherwise (never 403, so an
    outsider cannot tell which plans exist)."""
    plan = plans_visible_to(user).filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


def plan_content(plan: Plan) -> Plan:
    """The plan with everything its page shows, in a fixed number of queries."""
    return (
        Plan.objects.select_related("issuer")
        .prefetch_related(
            "basis",
            "documents",
            "purposes__documents",
            Prefetch(
                "tasks",
                queryset=Task.objects.order_by("number").prefetch_related(
                    "actions", "indicators", "rules", "documents"
                ),
            ),
            Prefetch(
                "duties",
                queryset=Duty.objects.order_by("number").prefetch_related(
                    "tasks",
                    Prefetch(
                        "participants",
                        queryset=DutyParticipant.objects.select_related("organisation"),
                    ),
                ),
            ),
        )
        .get(pk=plan.pk)
    )


def scopes_of(plan: Plan) -> list[ReportingScope]:
    return list(plan.scopes.select_related("organisation", "task"))


def organisations_in_scope(plan: Plan, organisations: list[Organisation]) -> dict[int, set[int]]:
    """For each organisation, the numbers of the tasks it reports on."""
    scopes = scopes_of(plan)
    return {
        org.pk: {scope.task.number for scope in scopes if scope.selects(org)}
        for org in organisations
    }


def tasks_reported_by(plan: Plan, organisation: Organisation) -> list[Task]:
    numbers = organisations_in_scope(plan, [organisation])[organisation.pk]
    return [task for task in plan.tasks.order_by("number") if task.number in numbers]


@dataclass
class MatrixRow:
    organisation: Organisation
    cells: list[set[str]] = field(default_factory=list)


@dataclass
class ResponsibilityMatrix:
    tasks: list[Task]
    rows: list[MatrixRow]


REPORTS, CONTRIBUTES, LEADS, COORDINATES = "report", "contribute", "lead", "coordinate"


def responsibility_matrix(plan: Plan) -> ResponsibilityMatrix:
    """Which organisation reports on, leads or coordinates which task.

    Organisations are those active today that any scope, contributor or duty names,
    directly or by kind. Four queries whatever the number of organisations."""
    tasks = list(plan.tasks.order_by("number"))
    scopes = scopes_of(plan)
    contributors = list(plan.contributors.prefetch_related("tasks"))
    participants = list(
        DutyParticipant.objects.filter(duty__plan=plan)
        .select_related("organisation", "duty")
        .prefetch_related("duty__tasks")
    )
    selectors = [*scopes, *contributors, *participants]
    kinds = {s.kind for s in selectors if s.kind}
    named = {s.organisation_id for s in selectors if s.organisation_id}
    today = timezone.localdate()
    organisations = list(
        Organisation.objects.active_on(today).filter(kind__in=kinds)
        | Organisation.objects.active_on(today).filter(pk__in=named)
    )
    kind_order = {kind: i for i, kind in enumerate(OrganisationKind.values)}
    organisations.sort(key=lambda o: (kind_order.get(o.kind, 99), o.code))
    rows = []
    for org in organisations:
        cells = []
        for task in tasks:
            marks = set()
            if any(s.task_id == task.pk and s.selects(org) for s in scopes):
                marks.add(REPORTS)
            if any(c.selects(org) and task in c.tasks.all() for c in contributors):
                marks.add(CONTRIBUTES)
            for p in participants:
                if p.selects(org) and task in p.duty.tasks.all():
                    marks.add(LEADS if p.role == "lead" else COORDINATES)
            cells.append(marks)
        rows.append(MatrixRow(organisation=org, cells=cells))
    return ResponsibilityMatrix(tasks=tasks, rows=rows)


def subplan_expected_organisations(plan: Plan, day=None) -> QuerySet[Organisation]:
    """Organisations that must issue their own implementation plan: the leads of the
    plan's duties that require one, active on the day (today by default)."""
    day = day or timezone.localdate()
    participants = DutyParticipant.objects.filter(
        duty__plan=plan, duty__requires_subplan=True, role="lead"
    )
    kinds = [p.kind for p in participants if p.kind]
    named = [p.organisation_id for p in participants if p.organisation_id]
    return (
        Organisation.objects.active_on(day).filter(kind__in=kinds)
        | Organisation.objects.active_on(day).filter(pk__in=named)
    ).order_by("code")


@dataclass(frozen=True)
class Scope:
    """A plan's reporting scope: the kinds of organisation and the organisations it names."""

    kinds: frozenset[str]
    named: frozenset[int]

    def q(self, prefix: str = "") -> Q:
        """The scope as a condition on organisations; ``prefix`` reaches them through a
        relation ("organisation__")."""
        return Q(**{f"{prefix}kind__in": self.kinds}) | Q(**{f"{prefix}pk__in": self.named})


def reporting_scope(plan: Plan) -> Scope:
    """One query; cached on the plan object, as its lines are (``tasks.lines.plan_lines``):
    a page reads the scope in several places."""
    cached = plan.__dict__.get("_scope")
    if cached is not None:
        return cached
    scopes = list(plan.scopes.values_list("organisation_id", "kind"))
    scope = Scope(
        kinds=frozenset(kind for _, kind in scopes if kind),
        named=frozenset(org_id for org_id, _ in scopes if org_id),
    )
    plan.__dict__["_scope"] = scope
    return scope


def existing_on_q(day, prefix: str = "") -> Q:
    """Organisations that existed on the day (a date, or an expression such as
    F("cycle__period_end")), as a condition; ``prefix`` reaches them through a relation."""
    return active_during_q(day, day, prefix)


def reporting_organisations(
    plan: Plan, day, *, scope: Scope | None = None
) -> QuerySet[Organisation]:
    """Organisations in the plan's reporting scope that exist on ``day``, a cycle's last
    day of period: the reporters a cycle expects by default. An organisation that opened during
    the period (a merger's new committee) is expected for the whole period; one that closed
    before its last day is not, its successor answers for its area. The one exception, a
    closed organisation that had already submitted, is added by
    ``reports.figures.definitions.expected_organisations``, which owns the full rule.
    ``scope`` saves its query when the caller has read it already."""
    scope = scope or reporting_scope(plan)
    return Organisation.objects.filter(scope.q(), existing_on_q(day)).order_by("code")


@dataclass(frozen=True)
class ContributorAsked:
    """A body asked for a contribution on a day, with the tasks it contributes on and the
    body it contributes to, both as they exist that day."""

    organisation: Organisation
    tasks: tuple[Task, ...]
    to: Organisation


def _existing_on(organisations: dict[int, Organisation], day) -> dict[int, Organisation | None]:
    """For each organisation, the one standing for it on the day: itself when it exists
    then, else the first of its successors that does; None when the data has no such
    successor (a body dissolved, or one whose successor is not in the data: nobody is
    asked in its place). One query per step of the longest chain, a step or two in
    practice, whatever the number of organisations."""
    result: dict[int, Organisation | None] = {}
    pending = {}
    for pk, org in organisations.items():
        if org.is_active_on(day):
            result[pk] = org
        elif org.successor_id is not None:
            pending[pk] = org.successor_id
        else:
            result[pk] = None
    seen: set[int] = set()
    while pending:
        successors = Organisation.objects.in_bulk(set(pending.values()) - seen)
        seen.update(successors)
        following = {}
        for pk, successor_id in pending.items():
            successor = successors.get(successor_id)
            if successor is None:
                result[pk] = None
            elif successor.is_active_on(day):
                result[pk] = successor
            elif successor.successor_id is not None and successor.successor_id not in seen:
                following[pk] = successor.successor_id
            else:
                result[pk] = None
        pending = following
    return result


def contributors_on(plan: Plan, day) -> list[ContributorAsked]:
    """The bodies a plan asks for a contribution in a cycle ending on ``day``, ordered by
    code. A body named in the plan that has since merged is asked as its successor (after
    1 July 2025, Ban Tuyên giáo and Ban Dân vận of Trà Vinh as Ban Tuyên giáo và Dân vận of
    Vĩnh Long, once, with the tasks of both); a kind selects the bodies of that kind that
    exist on the day. A fixed number of queries."""
    contributors = list(
        plan.contributors.select_related("organisation", "to").prefetch_related("tasks")
    )
    kinds = {c.kind for c in contributors if c.kind}
    of_kind = list(Organisation.objects.active_on(day).filter(kind__in=kinds)) if kinds else []
    named: dict[int, Organisation] = {
        c.organisation.pk: c.organisation for c in contributors if c.organisation is not None
    }
    standing = _existing_on({**named, **{c.to_id: c.to for c in contributors}}, day)
    asked: dict[int, tuple[Organisation, dict[int, Task], Organisation]] = {}
    for contributor in contributors:
        to = standing[contributor.to_id]
        if to is None:
            continue
        if contributor.organisation_id is not None:
            found = standing[contributor.organisation_id]
            bodies = [found] if found is not None else []
        else:
            bodies = [o for o in of_kind if o.kind == contributor.kind]
        for body in bodies:
            entry = asked.setdefault(body.pk, (body, {}, to))
            entry[1].update({task.pk: task for task in contributor.tasks.all()})
    return [
        ContributorAsked(
            organisation=body,
            tasks=tuple(sorted(tasks.values(), key=lambda t: t.number)),
            to=to,
        )
        for body, tasks, to in sorted(asked.values(), key=lambda entry: entry[0].code)
    ]
