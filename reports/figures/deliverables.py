"""Sub-plan compliance in the four buckets of Vietnamese task tracking: done on time, done
late, not done and not yet due, not done and overdue. Shared by the sub-plan list and the
dashboard.

A predecessor's sub-plan covers its successor (DESIGN §8) until the successor registers
its own: a body formed by a merger whose predecessors had all registered carries on their
plans and is not overdue; it counts as done on time when they all registered by the due
date, else as done late. A body with a predecessor that never registered (or with no
predecessor) owes its own, as before.

The rules live here only: as a pure function over the objects given (``subplan_bucket``)
and, right under it, the same rules as a SQL expression (``bucket_expression``), so long
lists are counted and paged in the database. A test holds the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy

from organisations.models import Organisation
from organisations.ordering import usual_order
from reports.models import SubPlan, end_of_day
from tasks.models import Plan

# The four buckets of Vietnamese task tracking, in the order they are shown.
ON_TIME, LATE, PENDING, OVERDUE = "on_time", "late", "pending", "overdue"
BUCKET_LABELS = {
    ON_TIME: gettext_lazy("Hoàn thành đúng hạn"),
    LATE: gettext_lazy("Hoàn thành quá hạn"),
    PENDING: gettext_lazy("Chưa hoàn thành – chưa đến hạn"),
    OVERDUE: gettext_lazy("Chưa hoàn thành – quá hạn"),
}


def subplan_bucket(
    subplan: SubPlan | None,
    due: dt.date | None,
    today: dt.date,
    predecessors: list[SubPlan | None] | None = None,
) -> str:
    """Which bucket one organisation falls in, given its own sub-plan and those of the
    organisations it succeeds (one entry each, None when one has none). Without a due
    date nothing is late: a registered sub-plan is on time and a missing one is not due
    yet."""
    if subplan is not None:
        if due is None or subplan.registered_at <= end_of_day(due):
            return ON_TIME
        return LATE
    if predecessors and all(p is not None for p in predecessors):
        if due is None or all(p.registered_at <= end_of_day(due) for p in predecessors if p):
            return ON_TIME
        return LATE
    if due is None or today <= due:
        return PENDING
    return OVERDUE


SUBPLAN = "plan_subplan"  # where with_bucket joins each organisation's sub-plan of the plan


def bucket_expression(due: dt.date | None, today: dt.date, plan: Plan | None = None) -> Case:
    """``subplan_bucket`` in SQL, over organisations with their sub-plan of the plan
    joined as SUBPLAN (``with_bucket``); with the plan, predecessors' sub-plans cover as
    there. Change both together."""
    registered = Q(**{f"{SUBPLAN}__pk__isnull": False})
    on_time = registered
    if due is not None:
        on_time &= Q(**{f"{SUBPLAN}__registered_at__lte": end_of_day(due)})
    inherited: list[When] = []
    if plan is not None:
        predecessors = Organisation.objects.filter(successor=OuterRef("pk"))
        # First a set computed once (a hashed subplan): only the few organisations that
        # have predecessors go on to the per-row look-ups, so a province with no merger
        # pays nothing for them (0.5 s a page at 50,000 organisations otherwise).
        successors = Organisation.objects.filter(successor__isnull=False).values("successor_id")
        covered = (
            Q(pk__in=successors)
            & Exists(predecessors)
            & ~Exists(predecessors.exclude(subplans__plan=plan))
        )
        late: Q | Exists = Q(pk__in=[])  # nothing is late without a due date
        if due is not None:
            late = Exists(
                predecessors.filter(
                    subplans__plan=plan, subplans__registered_at__gt=end_of_day(due)
                )
            )
        inherited = [When(covered & ~late, then=Value(ON_TIME)), When(covered, then=Value(LATE))]
    return Case(
        When(on_time, then=Value(ON_TIME)),
        When(registered, then=Value(LATE)),
        *inherited,
        default=Value(PENDING if due is None or today <= due else OVERDUE),
        output_field=CharField(),
    )


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _BucketFields(TypedDict):
        subplan_pk: int | None
        bucket: str

    BucketedOrganisation = WithAnnotations[Organisation, _BucketFields]


def with_bucket(
    organisations: QuerySet[Organisation], plan: Plan, today: dt.date
) -> QuerySet[BucketedOrganisation]:
    """The organisations, each with its sub-plan of the plan joined (NULLs when none),
    that sub-plan's id as ``subplan_pk`` and its bucket as ``bucket``."""
    return organisations.annotate(
        **{SUBPLAN: FilteredRelation("subplans", condition=Q(subplans__plan=plan))}
    ).annotate(
        subplan_pk=F(f"{SUBPLAN}__pk"),
        bucket=bucket_expression(plan.subplans_due, today, plan),
    )


BADGE_CLASSES = {ON_TIME: "success", LATE: "warning", PENDING: "secondary", OVERDUE: "danger"}


BUCKET_NAMES = 50  # organisations a page names in each bucket; the rest are only counted


@dataclass
class Bucket:
    key: str
    label: str
    organisations: list[Organisation]  # the first ones by code, at most BUCKET_NAMES
    count: int  # every organisation in the bucket

    @property
    def more(self) -> int:
        """Organisations in the bucket beyond those named."""
        return self.count - len(self.organisations)

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES[self.key]


def bucket_summary(
    organisations: QuerySet[Organisation], plan: Plan, today: dt.date
) -> list[Bucket]:
    """The four buckets of these organisations (those expected to issue a sub-plan of the
    plan), in the order shown: how many fall in each, counted in the database, and the
    first BUCKET_NAMES of each in the usual order (organisations.ordering). Two queries,
    whatever the number of organisations."""
    rows = with_bucket(organisations, plan, today)
    counts = dict(rows.order_by().values_list("bucket").annotate(n=Count("pk")))
    named: dict[str, list[Organisation]] = {key: [] for key in BUCKET_LABELS}
    first = rows.annotate(
        rank=Window(RowNumber(), partition_by=[F("bucket")], order_by=usual_order())
    ).filter(rank__lte=BUCKET_NAMES)
    for organisation in first.order_by(*usual_order()):
        named[organisation.bucket].append(organisation)
    return [
        Bucket(key=key, label=str(label), organisations=named[key], count=counts.get(key, 0))
        for key, label in BUCKET_LABELS.items()
    ]
