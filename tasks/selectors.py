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


REPORTS, LEADS, COORDINATES = "report", "lead", "coordinate"


def responsibility_matrix(plan: Plan) -> ResponsibilityMatrix:
    """Which organisation reports on, leads or coordinates which task.

    Organisations are those active today that any scope or duty names, directly or by
    kind. Three queries whatever the number of organisations."""
    tasks = list(plan.tasks.order_by("number"))
    scopes = scopes_of(plan)
    participants = list(
        DutyParticipant.objects.filter(duty__plan=plan)
        .select_related("organisation", "duty")
        .prefetch_related("duty__tasks")
    )
    kinds = {s.kind for s in scopes if s.kind} | {p.kind for p in participants if p.kind}
    named = {s.organisation_id for s in scopes if s.organisation_id} | {
        p.organisation_id for p in participants if p.organisation_id
    }
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
    """One query."""
    scopes = list(plan.scopes.values_list("organisation_id", "kind"))
    return Scope(
        kinds=frozenset(kind for _, kind in scopes if kind),
        named=frozenset(org_id for org_id, _ in scopes if org_id),
    )


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
