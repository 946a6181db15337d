"""The five-minute sweep: delivers what no queued job is going to deliver."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from reports.models import (
    OutboxMessage,
    OutboxStatus,
    Reminder,
    ReminderStatus,
)
from reports.notifications.email import TEMPORARY_ERRORS
from reports.notifications.outbox import SWEEP_AFTER, outbox_deliver
from reports.notifications.reminders import reminder_deliver

logger = logging.getLogger(__name__)


REMINDER_SWEEP_AFTER = dt.timedelta(minutes=10)

RETRIES_LOST_AFTER = dt.timedelta(hours=2)

SWEEP_BATCH = 100


def outbox_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver, here and now, what no queued job is going to deliver: outbox messages and
    reminders whose job never reached the broker, and those whose retries were lost."""
    now = now or timezone.now()
    counts = {"messages": 0, "reminders": 0}
    lost = now - RETRIES_LOST_AFTER
    messages = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(attempts=0, created_at__lt=now - SWEEP_AFTER) | Q(created_at__lt=lost))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    try:
        for message_id in list(messages):
            if outbox_deliver(message_id=message_id) == "sent":
                counts["messages"] += 1
    except TEMPORARY_ERRORS:
        # Recorded on the row. The mail server is down: trying the rest now would only
        # run into the job's time limit, one timeout after another; the next sweep will.
        return counts
    reminders = (
        Reminder.objects.filter(status=ReminderStatus.CLAIMED)
        .filter(Q(attempts=0, claimed_at__lt=now - REMINDER_SWEEP_AFTER) | Q(claimed_at__lt=lost))
        .order_by("claimed_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    try:
        for reminder_id in list(reminders):
            if reminder_deliver(reminder_id=reminder_id) == "sent":
                counts["reminders"] += 1
    except TEMPORARY_ERRORS:
        pass  # as above
    return counts
