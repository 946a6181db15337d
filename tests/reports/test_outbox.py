"""The outbox: an e-mail decided in a transaction is never lost, and never sent twice."""

import datetime as dt
import smtplib
import socket
import threading
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from kombu.exceptions import OperationalError

from plan112.celery import app as celery_app
from reports.jobs.outbox import deliver_outbox, deliver_outbox_message
from reports.jobs.reminders import send_deadline_reminders
from reports.models import (
    AnnualReport,
    OutboxMessage,
    OutboxStatus,
    Reminder,
    ReminderStatus,
    ReportStatus,
)
from reports.notifications.email import EmailContent
from reports.notifications.outbox import (
    outbox_add,
    outbox_add_many,
    outbox_deliver,
    outbox_held,
)
from reports.services.reports import report_return
from tests.reports.factories import (
    form_data,
    full_content,
    make_cycle,
    make_report,
    submitted_report,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
NOW = dt.datetime(2026, 12, 10, 9, 0, tzinfo=ZONE)


class FlakyBackend(locmem.EmailBackend):
    """The mail server: refuses `failures` sends (forever when negative), then accepts."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures != 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPConnectError(421, "Dịch vụ thư tạm thời không sẵn sàng")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def mail_and_jobs(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = "https://theodoi.example.vn"
    settings.MEDIA_ROOT = tmp_path
    FlakyBackend.failures = 0


@pytest.fixture
def reviewer_with_address(reviewer):
    reviewer.email = "reviewer@example.vn"
    reviewer.save(update_fields=["email"])
    return reviewer


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def later(minutes: int):
    return time_machine.travel(NOW + dt.timedelta(minutes=minutes), tick=False)


def a_message(to=("a@example.vn",)) -> OutboxMessage:
    return outbox_add(
        kind="test",
        to=list(to),
        content=EmailContent("Tiêu đề thư", "Nội dung thư", "<p>Nội dung thư</p>"),
    )


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


# The broker is down ----------------------------------------------------------------------


def test_submission_succeeds_when_the_broker_is_down_and_the_sweep_delivers_later(
    settings,
    monkeypatch,
    client_for,
    cycle,
    organisations,
    reporter,
    reviewer_with_address,
    django_capture_on_commit_callbacks,
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with later(0):
        report = make_report(cycle, organisations["TV-HCL"], reporter)
        client = client_for(reporter)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                f"/bao-cao/{report.pk}/soan/", form_data(report, full_content(report), submit="1")
            )
    assert response.status_code == 302
    assert callbacks, "the delivery was queued after commit (and failed to reach the broker)"
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.to) == (
        OutboxStatus.PENDING,
        0,
        ["reviewer@example.vn"],
    )
    assert not mail.outbox

    with later(0):
        deliver_outbox()  # too fresh: the job queued at commit may still be on its way
    assert not mail.outbox

    with later(6):
        assert deliver_outbox() == {"messages": 1, "reminders": 0}
        assert deliver_outbox() == {"messages": 0, "reminders": 0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reviewer@example.vn"]
    assert mail.outbox[0].subject.startswith("Huyện ủy Càng Long đã gửi báo cáo")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1)


@pytest.fixture
def hung_broker(settings):
    """A "Redis" that accepts connections and never answers a byte, as the broker."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    held, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = settings.REDIS_BROKER_OPTIONS
    fresh_broker_connections()
    yield held
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()
    fresh_broker_connections()


def fresh_broker_connections():
    # Celery keeps its connection and producer pools for the process: let the next
    # publish connect to the broker the settings name now.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_broker_that_never_answers_does_not_hold_the_submission(
    hung_broker,
    client_for,
    cycle,
    organisations,
    reporter,
    reviewer_with_address,
    django_capture_on_commit_callbacks,
):
    with later(0):
        report = make_report(cycle, organisations["TV-HCL"], reporter)
        client = client_for(reporter)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                f"/bao-cao/{report.pk}/soan/", form_data(report, full_content(report), submit="1")
            )
        took = time.monotonic() - started
    assert callbacks, "the delivery was published after commit"
    assert hung_broker, "the publish did reach the hung broker"
    assert took < 10, f"the request waited {took:.1f} s on the broker"
    assert response.status_code == 302
    assert response.url == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    with later(6):
        assert deliver_outbox() == {"messages": 1, "reminders": 0}


def test_a_manual_reminder_survives_the_broker_being_down(
    settings,
    monkeypatch,
    client_for,
    cycle,
    reviewer,
    reporter,
    django_capture_on_commit_callbacks,
):
    reporter.email = "reporter@example.vn"
    reporter.save(update_fields=["email"])
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with later(0), django_capture_on_commit_callbacks(execute=True):
        response = client_for(reviewer).post(f"/ky-bao-cao/{cycle.pk}/don-vi/TV-HCL/nhac-han/")
    assert response.status_code == 302
    reminder = Reminder.objects.get()
    assert reminder.status == ReminderStatus.CLAIMED

    with later(5):
        assert deliver_outbox()["reminders"] == 0  # may still be queued
    with later(11):
        assert deliver_outbox()["reminders"] == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert [m.to for m in mail.outbox] == [["reporter@example.vn"]]


def test_the_daily_job_survives_the_broker_being_down(
    settings, monkeypatch, cycle, reporter, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app, "send_task", broker_down)
    day = DUE - dt.timedelta(days=7)
    with later(0), django_capture_on_commit_callbacks(execute=True):
        counts = send_deadline_reminders(today=day.isoformat())
    assert counts["reminders"] == Reminder.objects.filter(status=ReminderStatus.CLAIMED).count()
    with later(11):
        assert deliver_outbox()["reminders"] == counts["reminders"]
    assert not Reminder.objects.exclude(status=ReminderStatus.SENT).exists()


# Written in the same transaction --------------------------------------------------------------


def test_a_rolled_back_step_leaves_no_message_and_queues_nothing(
    settings,
    monkeypatch,
    cycle,
    organisations,
    reporter,
    reviewer,
    django_capture_on_commit_callbacks,
):
    reporter.email = "reporter@example.vn"
    reporter.save(update_fields=["email"])
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, **kw: queued.append(name))
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    written = []

    def return_then_fail():
        with transaction.atomic():
            report_return(report=report, comment="Bổ sung", actor=reviewer)
            written.append(OutboxMessage.objects.filter(kind="report-returned").exists())
            raise RuntimeError("something after the return failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        return_then_fail()
    assert written == [True]
    assert not OutboxMessage.objects.filter(kind="report-returned").exists()
    assert queued == []
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_message_is_queued_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = a_message()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0] == ("<p>Nội dung thư</p>", "text/html")


def test_a_held_outbox_writes_and_queues_nothing_and_lets_go_after(
    db, django_capture_on_commit_callbacks
):
    content = EmailContent("Tiêu đề", "Nội dung", "")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, outbox_held():
        assert a_message() is None
        assert outbox_add_many([("digest", ["a@example.invalid"], content)]) == []
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert a_message() is not None
    assert len(mail.outbox) == 1


def test_nobody_to_write_to_means_no_message(db):
    assert a_message(to=()) is None
    assert not OutboxMessage.objects.exists()


# Sent once ----------------------------------------------------------------------------------


def test_delivering_twice_sends_once(db):
    message = a_message()
    assert outbox_deliver(message_id=message.pk) == "sent"
    assert outbox_deliver(message_id=message.pk) == "not-pending"
    assert deliver_outbox_message.apply(kwargs={"message_id": message.pk}).get() == "not-pending"
    with later(10):
        assert deliver_outbox()["messages"] == 0
    assert len(mail.outbox) == 1


def test_smtp_failure_is_retried_then_succeeds(settings, db):
    settings.EMAIL_BACKEND = "tests.reports.test_outbox.FlakyBackend"
    message = a_message()
    FlakyBackend.failures = 3
    assert deliver_outbox_message.apply(kwargs={"message_id": message.pk}).get() == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 4, "")
    assert len(mail.outbox) == 1


def test_last_smtp_failure_is_recorded(settings, db):
    settings.EMAIL_BACKEND = "tests.reports.test_outbox.FlakyBackend"
    FlakyBackend.failures = -1
    message = a_message()
    assert deliver_outbox_message.apply(kwargs={"message_id": message.pk}).get() == "failed"
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == settings.EMAIL_MAX_RETRIES + 1
    assert "SMTPConnectError" in message.last_error
    assert not mail.outbox
    with later(200):
        assert deliver_outbox()["messages"] == 0  # failed for good: the sweep leaves it


def test_sweep_leaves_a_message_in_the_middle_of_its_retries(settings, db):
    settings.EMAIL_BACKEND = "tests.reports.test_outbox.FlakyBackend"
    with later(0):
        message = a_message()
        FlakyBackend.failures = 1
        with pytest.raises(smtplib.SMTPConnectError):
            outbox_deliver(message_id=message.pk)  # a job's first try; its retry is waiting
    with later(10):
        assert deliver_outbox()["messages"] == 0
    assert not mail.outbox
    with later(200):  # its retries must have been lost: the sweep takes over
        assert deliver_outbox()["messages"] == 1
    assert len(mail.outbox) == 1


def test_beat_runs_the_jobs_this_module_defines(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {deliver_outbox.name, send_deadline_reminders.name} <= schedule


def test_sweep_stops_at_the_first_failure_while_the_mail_server_is_down(settings, db):
    settings.EMAIL_BACKEND = "tests.reports.test_outbox.FlakyBackend"
    FlakyBackend.failures = -1
    with later(0):
        first, second = a_message(), a_message()
    with later(10):
        assert deliver_outbox() == {"messages": 0, "reminders": 0}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, second.attempts) == (1, 0)
    assert first.status == second.status == OutboxStatus.PENDING
