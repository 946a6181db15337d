"""The outbox: deliver one message (retried), and the sweep that delivers what no job will.

The logic lives in reports.notifications; these jobs take primitives and call it.
"""

from celery import shared_task

from reports.jobs.reminders import RETRY_OPTIONS
from reports.notifications.outbox import outbox_deliver
from reports.notifications.sweep import outbox_sweep


@shared_task(name="reports.deliver_outbox_message", **RETRY_OPTIONS)
def deliver_outbox_message(*, message_id: int) -> str:
    """Send one outbox message once; SMTP failures are retried with backoff."""
    return outbox_deliver(message_id=message_id)


@shared_task(name="reports.deliver_outbox")
def deliver_outbox() -> dict[str, int]:
    """Every five minutes (beat): messages and reminders whose job never reached the
    broker, or whose retries were lost."""
    return outbox_sweep()
