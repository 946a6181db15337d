"""The reviewers' daily digest of the organisations that have not reported."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from organisations.models import Organisation
from reports.models import (
    AnnualReport,
    ReminderStatus,
    ReportingCycle,
    ReviewerDigest,
)
from reports.notifications.email import absolute_url, addresses, render_email
from reports.notifications.inapp import notifications_create
from reports.notifications.outbox import outbox_add
from reports.notifications.recipients import plan_reviewers

logger = logging.getLogger(__name__)


# The reviewers' digest ------------------------------------------------------------------


def digest_send(
    *, cycle: ReportingCycle, day: dt.date, laggards: list[Organisation]
) -> ReviewerDigest | None:
    """Claim the cycle's digest for the day and, in the same transaction, notify the
    plan's reviewers and write the e-mail to the outbox (which delivers and retries it).
    None if today's digest was claimed already."""
    days_late = (day - cycle.due_on).days
    drafts = set(
        AnnualReport.objects.filter(
            cycle=cycle, organisation__in=laggards, first_submitted_at__isnull=True
        ).values_list("organisation_id", flat=True)
    )
    overdue = [
        {
            "code": o.code,
            "name": o.name,
            "days_late": days_late,
            "started": o.pk in drafts,
        }
        for o in laggards
    ]
    reviewers = plan_reviewers(cycle.plan)
    recipients = addresses(reviewers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = ReviewerDigest.objects.create(
                    cycle=cycle, day=day, overdue=overdue, recipients=recipients
                )
        except IntegrityError:
            return None
        path = cycle.get_absolute_url()
        content = render_email(
            "digest",
            {
                "cycle": cycle,
                "day": day,
                "due_on": cycle.due_on,
                "days_late": days_late,
                "overdue": overdue,
                "link": absolute_url(path),
            },
        )
        notifications_create(
            reviewers,
            title=content.subject,
            body=", ".join(row["name"] for row in overdue),
            url=path,
        )
        outbox_add(kind="digest", to=recipients, content=content)
        # "Sent" here means handed to the outbox, which records the delivery itself.
        ReviewerDigest.objects.filter(pk=digest.pk, status=ReminderStatus.CLAIMED).update(
            status=ReminderStatus.SENT, sent_at=timezone.now()
        )
    return digest
