"""Closed cycles' figures, counted once.

A closed cycle no longer takes reports, so what it counts (who was expected, who
submitted and when, each status) changes only when a reviewer still accepts, returns
or reopens one of its reports, or when the organisations or the plan's scope are
corrected after the fact. ``cycles_figures`` counts an open cycle every time and a
closed one the first time only, storing the result per committee (``CycleCount``); the
rollup's trend then reads every closed year in one query, however many years there are.

Whatever may change a stored count forgets it, in the same transaction:

- a report event of a closed cycle (``reports.services.reports``: every transition
  records one) and a report deleted: that cycle's counts;
- a cycle saved (closed, reopened, its dates moved): that cycle's counts;
- organisations, their restructuring records, a plan or its reporting scope saved or
  deleted, and the loaders and the restructuring, which write in bulk and then send
  ``organisations.signals.structure_changed``: every stored count.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save

from organisations.models import Organisation, OrganisationChange, OrganisationChangeLink
from organisations.signals import structure_changed
from reports.models import AnnualReport, CycleCount, CycleStatus, ReportingCycle
from tasks.models import Plan, ReportingScope

FIELDS = ("expected", "actual", "on_time", "accepted", "submitted", "returned", "draft")


def stored(cycles: Iterable[ReportingCycle], node: int) -> dict[int, dict[str, int]]:
    """The stored figures of the closed ones among ``cycles`` at the node, by cycle id:
    one query, none when no cycle is closed."""
    closed = [c.pk for c in cycles if c.status == CycleStatus.CLOSED]
    if not closed:
        return {}
    rows = CycleCount.objects.filter(node=node, cycle_id__in=closed).values("cycle_id", *FIELDS)
    return {row.pop("cycle_id"): row for row in rows}


def store(counted: dict[ReportingCycle, dict[str, int]], node: int) -> None:
    """Keep the figures of the closed cycles just counted (one query, none when no closed
    cycle was counted). A count stored meanwhile by another request is the same count."""
    rows = [
        CycleCount(cycle_id=cycle.pk, node=node, **figures)
        for cycle, figures in counted.items()
        if cycle.status == CycleStatus.CLOSED
    ]
    if rows:
        CycleCount.objects.bulk_create(rows, ignore_conflicts=True)


def forget(cycle_id: int | None = None) -> None:
    """Drop the stored counts of one cycle, or of every cycle."""
    rows = CycleCount.objects.all()
    if cycle_id is not None:
        rows = rows.filter(cycle_id=cycle_id)
    rows.delete()


def report_changed(report: AnnualReport) -> None:
    """A report's state changed: a closed cycle's counts are forgotten (no query when
    the cycle is open, which is nearly always)."""
    if report.cycle.status == CycleStatus.CLOSED:
        forget(report.cycle_id)


def _forget_everything(**_kwargs: object) -> None:
    forget()


def _forget_cycle(sender: type, instance: ReportingCycle, **_kwargs: object) -> None:
    forget(instance.pk)


def _forget_report(sender: type, instance: AnnualReport, **_kwargs: object) -> None:
    forget(instance.cycle_id)


def connect() -> None:
    """Called once, from the app's ready()."""
    for model in (Organisation, OrganisationChange, OrganisationChangeLink, Plan, ReportingScope):
        post_save.connect(_forget_everything, sender=model, dispatch_uid=f"closed-{model.__name__}")
        post_delete.connect(
            _forget_everything, sender=model, dispatch_uid=f"closed-del-{model.__name__}"
        )
    structure_changed.connect(_forget_everything, dispatch_uid="closed-structure")
    post_save.connect(_forget_cycle, sender=ReportingCycle, dispatch_uid="closed-cycle")
    post_delete.connect(_forget_report, sender=AnnualReport, dispatch_uid="closed-report")
