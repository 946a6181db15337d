"""Sub-plan compliance in the four buckets of Vietnamese task tracking: done on time, done
late, not done and not yet due, not done and overdue. Pure functions over the objects
given; shared by the sub-plan list and the dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from organisations.models import Organisation

from .models import SubPlan, end_of_day

# The four buckets of Vietnamese task tracking, in the order they are shown.
ON_TIME, LATE, PENDING, OVERDUE = "on_time", "late", "pending", "overdue"
BUCKET_LABELS = {
    ON_TIME: gettext_lazy("Hoàn thành đúng hạn"),
    LATE: gettext_lazy("Hoàn thành quá hạn"),
    PENDING: gettext_lazy("Chưa hoàn thành – chưa đến hạn"),
    OVERDUE: gettext_lazy("Chưa hoàn thành – quá hạn"),
}


def subplan_bucket(subplan: SubPlan | None, due: dt.date | None, today: dt.date) -> str:
    """Which bucket one organisation falls in. Without a due date nothing is late: a
    registered sub-plan is on time and a missing one is not due yet."""
    if subplan is not None:
        if due is None or subplan.registered_at <= end_of_day(due):
            return ON_TIME
        return LATE
    if due is None or today <= due:
        return PENDING
    return OVERDUE


def subplan_buckets(
    expected: Iterable[Organisation],
    subplans: Iterable[SubPlan],
    due: dt.date | None,
    today: dt.date,
) -> dict[str, list[Organisation]]:
    """The expected organisations sorted into the four buckets (every key present).
    Pure: reads only the objects given, never the database."""
    by_organisation = {s.organisation_id: s for s in subplans}
    result: dict[str, list[Organisation]] = {key: [] for key in BUCKET_LABELS}
    for organisation in expected:
        bucket = subplan_bucket(by_organisation.get(organisation.pk), due, today)
        result[bucket].append(organisation)
    return result


BADGE_CLASSES = {ON_TIME: "success", LATE: "warning", PENDING: "secondary", OVERDUE: "danger"}


@dataclass
class Bucket:
    key: str
    label: str
    organisations: list[Organisation]

    @property
    def count(self) -> int:
        return len(self.organisations)

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES[self.key]
