"""Reporting lines: who reports to whom under a plan (DESIGN §4, "cascade").

A plan's reporters are organised in levels. Each organisation in the reporting scope
addresses its report to one committee, its *reporting node*: by default the nearest
Party committee above it (its parent, or its parent's parent when the parent is a body
such as the Front), or the top of its tree when the plan's line for its kind says
``top``. A node reviews the reports addressed to it and nothing else; its own report goes
up to its own node. The top node of a plan is its issuer's province committee, followed to
the committee that carries it on today (Tỉnh ủy Vĩnh Long for Trà Vinh's plans).

A node is read together with its *line*: itself and every organisation merged into it,
so a commune committee formed in 2025 sees what its predecessors were sent, and Tỉnh ủy
Vĩnh Long what Tỉnh ủy Trà Vinh was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from organisations.lineage import carried_on_by, predecessors_of
from organisations.models import COMMITTEE_KINDS, Organisation
from organisations.tree import descendants, tops_of

from .models import Plan, ReportingLine, ReportsTo

COMMITTEES = sorted(COMMITTEE_KINDS)


@dataclass(frozen=True)
class ReportingNode:
    """A committee as the addressee of reports: ``line`` holds its id and its
    predecessors' ids; ``top`` says it heads its tree (a province)."""

    organisation: Organisation
    line: frozenset[int]
    top: bool

    @property
    def pk(self) -> int:
        return self.organisation.pk

    def addressed_q(self, lines: PlanLines, prefix: str = "") -> Q:
        """Organisations whose reports come to this node, as a condition (``prefix``
        reaches them through a relation)."""
        line = list(self.line)
        # The parents whose children report here: the line's committees themselves, and
        # the bodies under the line that are not committees (their children report to
        # the committee above them). One condition on the organisation's own parent_id,
        # so the database walks the parent index from a few parents instead of joining
        # every organisation to its parent and grandparent (55,000 rows at national size).
        parents = Organisation.objects.filter(
            (Q(pk__in=line) & Q(kind__in=COMMITTEES))
            | (Q(parent_id__in=line) & ~Q(kind__in=COMMITTEES))
        ).values("pk")
        to_parent = Q(**{f"{prefix}parent_id__in": parents})
        condition = ~Q(**{f"{prefix}kind__in": sorted(lines.to_top)}) & to_parent
        if self.top and lines.to_top:
            below = descendants(line).values("pk")
            condition |= Q(**{f"{prefix}kind__in": sorted(lines.to_top)}) & Q(
                **{f"{prefix}pk__in": below}
            )
        return condition


@dataclass(frozen=True)
class PlanLines:
    """A plan's lines by kind (kinds without one report to their parent, on time)."""

    by_kind: dict[str, ReportingLine]

    @property
    def to_top(self) -> frozenset[str]:
        return frozenset(k for k, line in self.by_kind.items() if line.reports_to == ReportsTo.TOP)

    def days_before_due(self, kind: str) -> int:
        line = self.by_kind.get(kind)
        return line.days_before_due if line else 0

    def due_on(self, kind: str, due_on: dt.date) -> dt.date:
        """The kind's own due date in a cycle due on ``due_on``."""
        return due_on - dt.timedelta(days=self.days_before_due(kind))


def plan_lines(plan: Plan | int) -> PlanLines:
    """One query; cached on the plan object."""
    if isinstance(plan, Plan):
        cached = plan.__dict__.get("_lines")
        if cached is not None:
            return cached
    plan_id = plan.pk if isinstance(plan, Plan) else plan
    result = PlanLines({line.kind: line for line in ReportingLine.objects.filter(plan_id=plan_id)})
    if isinstance(plan, Plan):
        plan.__dict__["_lines"] = result
    return result


def nodes(ids: set[int] | frozenset[int]) -> dict[int, ReportingNode]:
    """The reporting nodes of these committees, by id: two queries however many."""
    if not ids:
        return {}
    before = predecessors_of(ids)
    organisations = Organisation.objects.filter(pk__in=ids)
    return {
        org.pk: ReportingNode(
            organisation=org,
            line=frozenset({org.pk, *(p.pk for p in before.get(org.pk, []))}),
            top=org.parent_id is None,
        )
        for org in organisations
    }


def node_of(organisation: Organisation) -> ReportingNode:
    return nodes({organisation.pk})[organisation.pk]


def top_node(plan: Plan) -> ReportingNode:
    """The plan's top node: the province committee of its issuer as it is today."""
    cached = plan.__dict__.get("_top_node")
    if cached is None:
        top = tops_of([plan.issuer_id])[plan.issuer_id]
        current = carried_on_by([top])[top]
        cached = plan.__dict__["_top_node"] = nodes({current})[current]
    return cached


def target_of(organisation: Organisation, lines: PlanLines) -> int | None:
    """The id of the committee this organisation's reports go to (None for a top)."""
    line = lines.by_kind.get(organisation.kind)
    if line is not None and line.reports_to == ReportsTo.TOP:
        top = tops_of([organisation.pk])[organisation.pk]
        return None if top == organisation.pk else top
    parent = organisation.parent
    if parent is None:
        return None
    if parent.kind in COMMITTEE_KINDS or parent.parent_id is None:
        return parent.pk
    return parent.parent_id
