import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plan112.settings")

app = Celery("plan112")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery modules are named jobs.py so that "task" keeps its one meaning: a plan task.
app.autodiscover_tasks(related_name="jobs")
