"""The files of the dashboard and the rollup: write one, and remove the old ones."""

from __future__ import annotations

import logging

from celery import shared_task

from reports.export_jobs.build import export_build, exports_remove_old

logger = logging.getLogger(__name__)

# A national dashboard's file is written in seconds; the soft limit lets the job record
# its failure on a machine under load, the hard one frees a stuck worker.
SOFT_TIME_LIMIT = 10 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 60


@shared_task(
    name="reports.build_export",
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def build_export(*, export_id: int) -> bool:
    """Never retried: a failure is recorded on the job, whose page offers to try again."""
    return export_build(export_id=export_id)


@shared_task(name="reports.remove_old_exports", ignore_result=True)
def remove_old_exports() -> int:
    """Daily (beat, 03:00): the exports older than EXPORT_KEEP_HOURS, and their files."""
    removed = exports_remove_old()
    if removed:
        logger.info("Removed %s old exports", removed)
    return removed
