"""Deadline reminders: the daily run, and the delivery of one reminder with its retries.

The logic lives in reports.notifications; these jobs take primitives and call it.
"""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from reports.notifications.email import TEMPORARY_ERRORS
from reports.notifications.reminders import deadline_reminders_run, reminder_deliver

# Retries wait 1, 2, 4, 8, 16… minutes (at most an hour): long enough to ride out a mail
# server restart, which a 1-second base (retry_backoff=True) would not.
RETRY_OPTIONS = {
    "autoretry_for": TEMPORARY_ERRORS,
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "retry_jitter": False,
    "max_retries": settings.EMAIL_MAX_RETRIES,
}


@shared_task(name="reports.send_deadline_reminders")
def send_deadline_reminders(*, today: str | None = None) -> dict[str, int]:
    """Daily at 07:00 (beat). `today` (ISO date) stands in for the local date in tests."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return deadline_reminders_run(today=day)


@shared_task(name="reports.send_reminder", **RETRY_OPTIONS)
def send_reminder(*, reminder_id: int) -> str:
    """Send one claimed reminder; SMTP failures are retried with backoff."""
    return reminder_deliver(reminder_id=reminder_id)
