"""The yearly summary's jobs: build one summary, and start the summaries that are due."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from reports.summary.build import summaries_start_due, summary_build

logger = logging.getLogger(__name__)

# A province's summary takes seconds; a national one with LibreOffice a few minutes. The
# soft limit lets the build record its failure; the hard one frees a stuck worker.
SOFT_TIME_LIMIT = 15 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 60


@shared_task(
    name="reports.build_yearly_summary",
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def build_yearly_summary(*, summary_id: int) -> bool:
    """Never retried: a failure is recorded on the summary, where reviewers see it and
    can start the build again."""
    return summary_build(summary_id=summary_id)


@shared_task(name="reports.start_due_summaries", ignore_result=True)
def start_due_summaries(today: str | dt.date | None = None) -> int:
    """Daily (beat, 06:30): queue the summary of each cycle due SUMMARY_AFTER_DUE_DAYS ago
    that has none. ``today`` (ISO date) is for tests and for catching up by hand."""
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    started = summaries_start_due(today=today or timezone.localdate())
    if started:
        logger.info("Queued %s yearly summaries", len(started))
    return len(started)
