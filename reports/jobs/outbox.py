"""The outbox: deliver one message (retried), and the sweep that delivers what no job will.

The logic lives in reports.notify; these jobs take primitives and call it.
"""

from celery import shared_task

from .. import notify
from .reminders import RETRY_OPTIONS


@shared_task(name="reports.deliver_outbox_message", **RETRY_OPTIONS)
def deliver_outbox_message(*, message_id: int) -> str:
    """Send one outbox message once; SMTP failures are retried with backoff."""
    return notify.outbox_deliver(message_id=message_id)


@shared_task(name="reports.deliver_outbox")
def deliver_outbox() -> dict[str, int]:
    """Every five minutes (beat): messages and reminders whose job never reached the
    broker, or whose retries were lost."""
    return notify.outbox_sweep()
