"""Remind every late organisation of one level at once ("Nhắc tất cả đơn vị chậm").

A reviewer facing eighteen late units should not press eighteen buttons: one action, after
a confirmation that says how many will be reminded, sends each the same reminder as the
row's own button (``reminder_send_now``: at most once a day each)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from organisations.models import Organisation, OrganisationKind, User
from reports.models import Reminder, ReportingCycle, ReportStatus
from reports.notifications.reminders import ReminderRefused, reminder_send_now
from reports.selectors import expected_with_report
from tasks.lines import ReportingNode


def manual_stage(day) -> str:
    """The stage a reviewer's "send now" claims: one a day per organisation."""
    return f"manual-{day.isoformat()}"


def late_units(cycle: ReportingCycle, node: ReportingNode | None) -> QuerySet[Organisation]:
    """The organisations reporting to ``node`` whose level's deadline has passed and whose
    report is still awaited (none, a draft, or returned). One query to count."""
    now = timezone.now()
    kinds = [kind for kind in OrganisationKind.values if cycle.deadline_for(kind) < now]
    return (
        expected_with_report(cycle, node=node)
        .filter(kind__in=kinds)
        .filter(
            Q(report_pk__isnull=True)
            | Q(cycle_report__status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
        )
    )


def late_to_remind(cycle: ReportingCycle, node: ReportingNode | None) -> QuerySet[Organisation]:
    """The late units that still exist and were not reminded by hand today: those the
    bulk action reminds. One query to count."""
    today = timezone.localdate()
    reminded = Reminder.objects.filter(
        cycle=cycle, organisation=OuterRef("pk"), stage=manual_stage(today)
    )
    return late_units(cycle, node).exclude(valid_to__lt=today).exclude(Exists(reminded))


@transaction.atomic
def reminders_send_late(
    *, cycle: ReportingCycle, node: ReportingNode | None, actor: User
) -> tuple[int, int]:
    """Remind every late organisation of the level now. Returns (sent, refused): one that
    handed in or was reminded meanwhile is refused, as its own button would be."""
    sent = refused = 0
    for organisation in late_to_remind(cycle, node):
        try:
            with transaction.atomic():
                reminder_send_now(cycle=cycle, organisation=organisation, actor=actor)
        except ReminderRefused:
            refused += 1
        else:
            sent += 1
    return sent, refused
