"""A real Celery worker over Redis, on the test's PostgreSQL database: the daily job sent
twice, run by two worker threads at once, still sends each reminder once."""

import datetime as dt
import email
import email.policy
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from reports.figures.definitions import expected_organisations
from reports.models import Reminder, ReminderStatus, ReviewerDigest
from tests.conftest import district_committees, needs, redis_up, redis_url
from tests.reports.factories import make_cycle

REDIS_URL = redis_url()
DUE = dt.date(2026, 12, 15)
SEPARATOR = b"-" * 79  # what Django's file backend writes after each message


def database_url() -> str:
    """The test database, for a process that does not share this one's connection."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def written_mail(folder: Path) -> list[email.message.EmailMessage]:
    """Every message the file backend wrote (one file per connection, but two connections
    opened in the same second by the same-address object share a file)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                messages.append(
                    email.message_from_bytes(chunk.strip(), policy=email.policy.default)
                )
    return messages


@pytest.mark.redis
def test_daily_job_sent_twice_to_a_real_worker_reminds_each_organisation_once(
    transactional_db, tmp_path, reporter, other_reporter, reviewer, plan
):
    needs(connection.vendor == "postgresql", "cần PostgreSQL: tiến trình worker dùng chung CSDL")
    needs(redis_up(), f"không kết nối được Redis ở {REDIS_URL}")
    from celery import Celery

    for user in (reporter, other_reporter, reviewer):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    cycle = make_cycle(plan, reviewer, year=2026, due=DUE)
    expected = expected_organisations(cycle).count()
    day = DUE + dt.timedelta(days=7)  # a reminder stage, and a digest day

    app = Celery(broker=REDIS_URL)
    app.control.purge()  # nothing left over from another test
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"EMAIL_HOST", "CELERY_TASK_ALWAYS_EAGER", "PLAN112_ENV"}
    }
    env |= {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "PLAN112_VAR_DIR": str(tmp_path),  # mail lands in tmp_path/mail
        "SITE_URL": "https://theodoi.example.vn",
        "DJANGO_SETTINGS_MODULE": "plan112.settings",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "plan112", "worker", "--pool=threads",
         "--concurrency=2", "--loglevel=warning", "--hostname=reminders@%h"],
        env=env, cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        for _ in range(2):
            app.send_task("reports.send_deadline_reminders", kwargs={"today": day.isoformat()})

        mail_dir = tmp_path / "mail"
        deadline = time.monotonic() + 40
        done = False
        while time.monotonic() < deadline and not done:
            time.sleep(0.5)
            sent = Reminder.objects.filter(status=ReminderStatus.SENT).count()
            digests = [m for m in written_mail(mail_dir) if m["To"] == "reviewer@example.vn"]
            with app.connection_for_write() as conn:
                queued = conn.default_channel.client.llen("celery")
            done = sent == expected and len(digests) == 1 and queued == 0
        assert done, f"the worker did not finish in time: {sent}/{expected} reminders sent"
        time.sleep(1.5)  # anything sent twice would arrive now

        messages = written_mail(mail_dir)
        by_recipient = {}
        for message in messages:
            by_recipient.setdefault(str(message["To"]), []).append(str(message["Subject"]).strip())
        assert sorted(by_recipient) == [
            "other-reporter@example.vn",
            "reporter@example.vn",
            "reviewer@example.vn",
        ], by_recipient
        assert len(by_recipient["reporter@example.vn"]) == 1
        assert by_recipient["reporter@example.vn"][0].startswith("Quá hạn 7 ngày")
        assert len(by_recipient["other-reporter@example.vn"]) == 1
        assert len(by_recipient["reviewer@example.vn"]) == 1
        assert by_recipient["reviewer@example.vn"][0].startswith("Tổng hợp ngày 22/12/2026")
        assert Reminder.objects.count() == expected
        assert set(Reminder.objects.values_list("stage", flat=True)) == {"due+7"}
        # The province's digest, and one to each district about its overdue grassroots
        # (nobody there has an address: written down, no e-mail).
        assert ReviewerDigest.objects.filter(node__code="TV-TU").count() == 1
        assert ReviewerDigest.objects.count() == 1 + district_committees().count()
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        app.control.purge()
    assert "Traceback" not in output, output
