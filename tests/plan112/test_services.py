"""The real servers: PostgreSQL under CI, and a Celery worker talking over Redis."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import IN_CI, needs, redis_up, redis_url

REDIS_URL = redis_url()


def test_ci_runs_on_postgresql(db):
    if IN_CI:
        assert connection.vendor == "postgresql", "CI must test against PostgreSQL"
    else:
        needs(connection.vendor == "postgresql", "cơ sở dữ liệu kiểm thử là SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


@pytest.mark.redis
def test_celery_worker_answers_over_redis(tmp_path):
    needs(redis_up(), f"không kết nối được Redis ở {REDIS_URL}")
    from celery import Celery

    env = {**os.environ, "CELERY_BROKER_URL": REDIS_URL, "PLAN112_VAR_DIR": str(tmp_path)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "plan112", "worker", "--pool=solo",
         "--loglevel=warning", "--hostname=probe@%h"],
        env=env, cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    app = Celery(broker=REDIS_URL)
    try:
        deadline = time.monotonic() + 40
        replies = []
        while time.monotonic() < deadline and not replies:
            replies = app.control.ping(timeout=1.0)
        assert any(name.startswith("probe@") for reply in replies for name in reply), replies
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
