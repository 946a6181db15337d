"""The outbox: e-mails written in the caller's transaction and delivered after it commits;
and the notifications of report events."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from organisations.models import User
from plan112.celery import job_queue
from reports.models import (
    AnnualReport,
    EventKind,
    OutboxMessage,
    OutboxStatus,
)
from reports.notifications.email import (
    TEMPORARY_ERRORS,
    EmailContent,
    absolute_url,
    addresses,
    describe_error,
    render_email,
    send_email,
)
from reports.notifications.inapp import notifications_create
from reports.notifications.recipients import (
    node_reviewers,
    organisation_reporters,
    plan_reviewers,
)
from tasks.lines import nodes

logger = logging.getLogger(__name__)


# The sweep leaves a fresh message to the job queued at commit, and a message in the
# middle of its retries (at most ~31 minutes, see reports.jobs) to those retries.
SWEEP_AFTER = dt.timedelta(minutes=1)


EVENT_TEMPLATES = {
    EventKind.SUBMITTED: "report-submitted",
    EventKind.RETURNED: "report-returned",
    EventKind.ACCEPTED: "report-accepted",
    EventKind.REOPENED: "report-reopened",
}


# The outbox -----------------------------------------------------------------------------


# Set while e-mails must not be written at all: the demo plays years of history through
# the services, and mail about what "happened" years ago would reach people today. What
# the services record besides (events, in-app notifications) is written as usual.
_held: ContextVar[bool] = ContextVar("outbox_held", default=False)


@contextmanager
def outbox_held() -> Iterator[None]:
    """No e-mail is written, nor its delivery queued, inside the block."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def outbox_add(
    *, kind: str, to: list[str], content: EmailContent, report: AnnualReport | None = None
) -> OutboxMessage | None:
    """Write an e-mail in the caller's transaction and queue its delivery for after the
    commit. Nobody with an address, or inside outbox_held: nothing to write."""
    if not to or _held.get():
        return None
    message = OutboxMessage.objects.create(
        kind=kind,
        to=to,
        subject=content.subject,
        body_text=content.text,
        body_html=content.html,
        report=report,
    )
    # A broker that cannot take the job leaves the message pending, for the sweep.
    job_queue("reports.deliver_outbox_message", message_id=message.pk)
    return message


def outbox_add_many(messages: list[tuple[str, list[str], EmailContent]]) -> list[OutboxMessage]:
    """outbox_add for many (kind, addresses, content) at once: one INSERT, each delivery
    queued for after the commit. Messages with nobody to write to are left out."""
    if _held.get():
        return []
    written = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=kind,
            to=to,
            subject=content.subject,
            body_text=content.text,
            body_html=content.html,
        )
        for kind, to, content in messages
        if to
    )
    for message in written:
        job_queue("reports.deliver_outbox_message", message_id=message.pk)
    return written


def outbox_deliver(*, message_id: int) -> str:
    """One attempt at one outbox message. Returns "sent", "failed" (the last attempt
    failed), or "not-pending" (already sent, or being sent by another worker right now);
    raises the SMTP error when a later attempt should try again."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return "not-pending"
        final = message.attempts + 1 > settings.EMAIL_MAX_RETRIES
        try:
            send_email(
                EmailContent(message.subject, message.body_text, message.body_html), message.to
            )
        except TEMPORARY_ERRORS as exc:
            error = exc
        else:
            OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
            return "sent"
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
            attempts=F("attempts") + 1,
            last_error=describe_error(error),
        )
    if final:
        logger.warning("E-mail %s failed for good: %s", message_id, describe_error(error))
        return "failed"
    raise error


# Report events --------------------------------------------------------------------------


def report_event_notify(
    *, report: AnnualReport, kind: str, actor: User | None = None, comment: str = ""
) -> OutboxMessage | None:
    """Tell the people concerned that a report moved, inside the service's transaction:
    a submission goes to the reviewers of the committee the report is addressed to (a
    grassroots report to its district's, not to every reviewer of the province); a
    return, an acceptance or a reopening to the organisation's reporters. In-app
    notifications, and one e-mail in the outbox."""
    name = EVENT_TEMPLATES.get(kind)
    if name is None:
        return None
    cycle = report.cycle
    organisation = report.organisation
    if kind == EventKind.SUBMITTED:
        people = addressee_reviewers(report)
    else:
        people = organisation_reporters([organisation.pk])[organisation.pk]
    people = [person for person in people if actor is None or person.pk != actor.pk]
    if not people:
        return None
    link = absolute_url(report.get_absolute_url())
    content = render_email(
        name,
        {
            "report": report,
            "cycle": cycle,
            "organisation": organisation,
            "actor": actor,
            "comment": comment,
            "link": link,
            "submitted_at": report.last_submitted_at,
            "resubmission": report.submission_count > 1,
        },
    )
    notifications_create(people, title=content.subject, body=comment, url=report.get_absolute_url())
    return outbox_add(kind=name, to=addresses(people), content=content, report=report)


def addressee_reviewers(report: AnnualReport) -> list[User]:
    """The reviewers of the committee the report goes to (``reports_to``, set when it was
    started); the plan's province reviewers for a report that has none."""
    if report.reports_to_id is None:
        return plan_reviewers(report.cycle.plan)
    node = nodes({report.reports_to_id})[report.reports_to_id]
    return node_reviewers({node.pk: node.line})[node.pk]
