"""Reads of contributions (``reports.services.contributions`` writes them): who a cycle
asks, what each has sent and when, and which bodies a user writes for. Each runs a fixed
number of queries, whatever the number of contributors."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.selectors import memberships_of
from reports.models import Contribution, ContributionPart, ReportingCycle
from tasks.selectors import ContributorAsked, contributors_on


class Standing:
    """Where a contribution stands, as the list shows it."""

    SENT = "sent"
    LATE = "late"  # sent after the cycle's due date
    OVERDUE = "overdue"  # not sent, and the due date has passed
    WAITING = "waiting"  # not sent, not yet due

    LABELS = {
        SENT: _("Đã gửi đúng hạn"),
        LATE: _("Gửi muộn"),
        OVERDUE: _("Quá hạn, chưa gửi"),
        WAITING: _("Chưa gửi"),
    }


@dataclass
class ContributionRow:
    cycle: ReportingCycle
    asked: ContributorAsked
    contribution: Contribution | None
    standing: str

    @property
    def organisation(self):
        return self.asked.organisation

    @property
    def label(self) -> str:
        return str(Standing.LABELS[self.standing])

    @property
    def late(self) -> bool:
        return self.standing in (Standing.LATE, Standing.OVERDUE)


def standing_of(cycle: ReportingCycle, contribution: Contribution | None, now=None) -> str:
    now = now or timezone.now()
    if contribution is not None and contribution.sent_at is not None:
        return Standing.LATE if contribution.sent_at > cycle.deadline else Standing.SENT
    return Standing.OVERDUE if now > cycle.deadline else Standing.WAITING


def with_parts(queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    return queryset.select_related("updated_by", "addressed_to").prefetch_related(
        Prefetch("parts", queryset=ContributionPart.objects.select_related("task"))
    )


def contribution_rows(cycle: ReportingCycle) -> list[ContributionRow]:
    """Every body the cycle asks, with its contribution (None before its first save)."""
    asked = contributors_on(cycle.plan, cycle.period_end)
    saved = {
        c.organisation_id: c
        for c in with_parts(
            Contribution.objects.filter(
                cycle=cycle, organisation_id__in=[a.organisation.pk for a in asked]
            )
        )
    }
    now = timezone.now()
    return [
        ContributionRow(
            cycle=cycle,
            asked=a,
            contribution=saved.get(a.organisation.pk),
            standing=standing_of(cycle, saved.get(a.organisation.pk), now),
        )
        for a in asked
    ]


def asked_of(cycle: ReportingCycle, organisation_id: int) -> ContributorAsked | None:
    """The body as the cycle asks it (its tasks and addressee), or None if not asked."""
    return next(
        (
            a
            for a in contributors_on(cycle.plan, cycle.period_end)
            if a.organisation.pk == organisation_id
        ),
        None,
    )


def contributions_for_user(user, cycles: list[ReportingCycle]) -> list[ContributionRow]:
    """The contributions the user writes (a member of a body asked) in these cycles: a
    few queries per cycle, and only the open cycles are asked for (one or two a year)."""
    mine = {m.organisation_id for m in memberships_of(user)}
    if not mine:
        return []
    rows = []
    for cycle in cycles:
        rows += [row for row in contribution_rows(cycle) if row.organisation.pk in mine]
    return rows
