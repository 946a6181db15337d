import logging
import os
from collections.abc import Callable
from functools import partial

from celery import Celery
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plan112.settings")

logger = logging.getLogger(__name__)

app = Celery("plan112")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery modules are named jobs.py so that "task" keeps its one meaning: a plan task.
app.autodiscover_tasks(related_name="jobs")

# What a broker that is down, refuses, or never answers raises while a job is published.
BROKER_ERRORS = (OperationalError, ConnectionError, OSError)


def job_queue(name: str, *, refused: Callable[[], None] | None = None, **kwargs) -> None:
    """Hand the job registered as ``name`` to the broker once the caller's transaction
    commits (at once outside one). By name, so services never import the jobs that call
    them. A broker that cannot take it is logged and ``refused`` is called: the caller's
    rows stay, for a sweep or for a person to act on; the request goes on."""
    transaction.on_commit(partial(_publish, name, kwargs, refused))


def _publish(name: str, kwargs: dict, refused: Callable[[], None] | None) -> None:
    try:
        if app.conf.task_always_eager:
            # send_task ignores eager mode: run the registered job here, as .delay would.
            # The job modules are imported only while the job is unknown: each import
            # reruns Django's system checks (Celery's Django fixup), costing more than
            # the job itself when a run queues a hundred reminders.
            if name not in app.tasks:
                app.loader.import_default_modules()
            app.tasks[name].apply(kwargs=kwargs)
        else:
            app.send_task(name, kwargs=kwargs)
    except BROKER_ERRORS as exc:
        logger.warning("Could not queue %s %s: %s", name, kwargs, exc)
        if refused is not None:
            refused()
