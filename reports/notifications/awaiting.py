"""Which organisations still owe the cycle their report: the one rule behind the deadline
reminders and the reviewers' digests.

An organisation is awaited while it has no report, a draft, or a report returned to it
and not sent back yet. ``first_submitted_at`` is not the test: a returned report was
submitted once, but what the committee above is waiting for is its corrected version, and
a returned report left alone past its due date is as overdue as one never written.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from organisations.models import Organisation
from reports.figures.definitions import expected_everywhere
from reports.models import AnnualReport, ReportingCycle, ReportStatus

# Reports that are with the addressee: nothing more is asked of the organisation.
HANDED_IN = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def is_awaited(report: AnnualReport | None) -> bool:
    """No report, a draft, or a returned report."""
    return report is None or report.status not in HANDED_IN


def handed_in_reports(cycle: ReportingCycle) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(cycle=cycle, status__in=HANDED_IN)


def awaiting_submission(
    cycle: ReportingCycle, *, today: dt.date | None = None
) -> QuerySet[Organisation]:
    """Organisations the cycle expects, at every level, whose report is awaited and that
    still exist today: one that closed after the period (so still expected) has nobody
    left to remind. Ordered by code."""
    today = today or timezone.localdate()
    handed_in = handed_in_reports(cycle).values("organisation_id")
    return expected_everywhere(cycle).exclude(pk__in=handed_in).exclude(valid_to__lt=today)
