"""Celery jobs (Celery's autodiscovery imports `reports.jobs`; "task" means a plan task)."""

from reports.jobs import exports, outbox, reminders, summaries  # noqa: F401 - registers the jobs
