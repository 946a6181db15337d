"""Deadline reminders: the right day for each level, once, never to those who reported;
retries; each committee's digest; a reviewer's "send now"; what the cycle page shows.

Under 112-KH/TU the province level (districts, affiliated committees, the province's
bodies) is due on the cycle's due date, and the grassroots fifteen days before it."""

import datetime as dt
import smtplib
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation
from reports.figures.definitions import expected_everywhere, expected_organisations
from reports.jobs.reminders import send_deadline_reminders, send_reminder
from reports.models import Notification, Reminder, ReminderStatus, ReviewerDigest
from reports.notifications.reminders import reminder_deliver
from tests.conftest import district_committees, make_user, needs
from tests.reports.factories import make_cycle, make_report, province_pk, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
SITE = "https://theodoi.example.vn"
DEFAULT_OFFSETS = [-14, -7, -3, -1, 1, 7, 14]
GRASSROOTS_DUE = DUE - dt.timedelta(days=15)  # 30/11/2026


class FlakyBackend(locmem.EmailBackend):
    """The mail server: refuses `failures` sends (forever when negative), then accepts."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.failures != 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Máy chủ thư đóng kết nối")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def mail_and_jobs(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path
    FlakyBackend.failures = 0
    FlakyBackend.calls = 0


@pytest.fixture
def people(reporter, other_reporter, body_reporter, reviewer, leader):
    """The personas, with e-mail addresses."""
    for user in (reporter, other_reporter, body_reporter, reviewer, leader):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    return {
        "reporter": reporter,
        "other_reporter": other_reporter,
        "body_reporter": body_reporter,
        "reviewer": reviewer,
        "leader": leader,
    }


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def at(day: dt.date, hour: int = 7):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZONE), tick=False)


def run_job(day: dt.date, capture):
    """The daily job as beat starts it, with its queued jobs run right after commit."""
    with at(day), capture(execute=True):
        return send_deadline_reminders(today=day.isoformat())


def mails_to(address: str):
    return [m for m in mail.outbox if address in m.to]


def due_on(cycle, day: dt.date) -> set[str]:
    """Codes of the organisations expected at every level whose own due date is ``day``."""
    return {o.code for o in expected_everywhere(cycle) if cycle.due_on_for(o.kind) == day}


def reminded(stage: str) -> set[str]:
    return set(Reminder.objects.filter(stage=stage).values_list("organisation__code", flat=True))


# The right day ----------------------------------------------------------------------------


@pytest.mark.parametrize("offset", DEFAULT_OFFSETS)
def test_reminder_goes_out_on_each_default_offset_day(
    offset, cycle, people, organisations, django_capture_on_commit_callbacks
):
    run_job(DUE + dt.timedelta(days=offset), django_capture_on_commit_callbacks)

    stage = f"due{offset:+d}"
    reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
    assert (reminder.stage, reminder.days_to_due, reminder.status) == (
        stage,
        offset,
        ReminderStatus.SENT,
    )
    assert reminder.recipients == ["reporter@example.vn"]
    assert len(mails_to("reporter@example.vn")) == 1
    # Every organisation due that day is reminded, whether or not anybody there has an
    # address: the province level, whose addressee is the province.
    province_level = due_on(cycle, DUE)
    assert reminded(stage) == province_level
    assert province_level == set(expected_organisations(cycle).values_list("code", flat=True))


@pytest.mark.parametrize("offset", [-14, -1, 1, 14])
def test_grassroots_are_reminded_on_the_offsets_of_their_own_earlier_due_date(
    offset, cycle, people, grassroots_reporter, organisations, django_capture_on_commit_callbacks
):
    grassroots_reporter.email = "grassroots@example.vn"
    grassroots_reporter.save(update_fields=["email"])
    run_job(GRASSROOTS_DUE + dt.timedelta(days=offset), django_capture_on_commit_callbacks)

    stage = f"due{offset:+d}"
    grassroots = due_on(cycle, GRASSROOTS_DUE)
    assert len(grassroots) == 104
    assert reminded(stage) >= grassroots
    reminder = Reminder.objects.get(organisation=organisations["TV-HCL-XANTRUONG"])
    assert (reminder.stage, reminder.days_to_due) == (stage, offset)
    assert len(mails_to("grassroots@example.vn")) == 1
    # The province level is 15 days further from its own due date: a stage only when
    # offset - 15 is one (-1 → -16: no; 1 → -14: yes).
    province = Reminder.objects.filter(organisation=organisations["TV-HCL"])
    assert province.exists() == (offset - 15 in DEFAULT_OFFSETS)


def test_grassroots_reminder_states_their_own_due_date(
    cycle, grassroots_reporter, organisations, django_capture_on_commit_callbacks
):
    grassroots_reporter.email = "grassroots@example.vn"
    grassroots_reporter.save(update_fields=["email"])
    run_job(GRASSROOTS_DUE - dt.timedelta(days=7), django_capture_on_commit_callbacks)
    message = mails_to("grassroots@example.vn")[0]
    assert message.subject == (
        "Nhắc hạn: còn 7 ngày đến hạn nộp báo cáo của Đảng ủy xã An Trường (30/11/2026)"
    )
    assert "30/11/2026" in message.body
    assert "15/12/2026" not in message.body
    notification = Notification.objects.get(user=grassroots_reporter)
    assert notification.body == "Hạn nộp 30/11/2026, còn 7 ngày."


def test_no_reminder_on_the_days_between_the_offsets(
    cycle, people, django_capture_on_commit_callbacks
):
    # Quiet for both levels: neither days nor days + 15 (the grassroots' count) is a stage.
    quiet = [-20, -15, -13, -6, -4, -2, 0, 2, 8, 15, 22]
    for days in quiet:
        run_job(DUE + dt.timedelta(days=days), django_capture_on_commit_callbacks)
    assert not Reminder.objects.exists()
    assert not mails_to("reporter@example.vn")


def test_a_grassroots_stage_reminds_no_district(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    # DUE - 8 is nothing for the districts, and seven days after the grassroots' due date.
    run_job(DUE - dt.timedelta(days=8), django_capture_on_commit_callbacks)
    assert reminded("due+7") == due_on(cycle, GRASSROOTS_DUE)
    assert Reminder.objects.count() == 104
    assert not mails_to("reporter@example.vn")


def test_reminders_repeat_weekly_while_the_report_is_overdue(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    for days in (21, 22, 28):
        run_job(DUE + dt.timedelta(days=days), django_capture_on_commit_callbacks)
    stages = set(
        Reminder.objects.filter(organisation=organisations["TV-HCL"]).values_list(
            "stage", flat=True
        )
    )
    assert stages == {"due+21", "due+28"}
    assert len(mails_to("reporter@example.vn")) == 2


def test_no_reminder_outside_the_cycle_or_when_it_is_closed(
    cycle, people, django_capture_on_commit_callbacks
):
    # due+63 is a weekly day but after the cycle closes (60 days after the due date).
    run_job(DUE + dt.timedelta(days=63), django_capture_on_commit_callbacks)
    assert not Reminder.objects.exists()
    cycle.status = "closed"
    cycle.save(update_fields=["status"])
    run_job(DUE - dt.timedelta(days=7), django_capture_on_commit_callbacks)
    assert not Reminder.objects.exists()


def test_a_cycle_with_its_offsets_cleared_sends_no_scheduled_reminders(
    cycle, people, django_capture_on_commit_callbacks
):
    cycle.reminder_offsets = []
    cycle.save(update_fields=["reminder_offsets"])
    run_job(DUE - dt.timedelta(days=7), django_capture_on_commit_callbacks)
    assert not Reminder.objects.exists()


# Never to those who reported ------------------------------------------------------------


def test_organisations_that_submitted_get_no_reminder(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    with at(DUE - dt.timedelta(days=10)):
        submitted_report(cycle, organisations["TV-HCL"], people["reporter"])
    mail.outbox.clear()
    run_job(DUE - dt.timedelta(days=7), django_capture_on_commit_callbacks)

    assert not Reminder.objects.filter(organisation=organisations["TV-HCL"]).exists()
    assert Reminder.objects.filter(organisation=organisations["TV-HCK"]).exists()
    assert not mails_to("reporter@example.vn")
    assert len(mails_to("other-reporter@example.vn")) == 1


def test_a_returned_report_not_sent_back_is_awaited_and_reminded(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    from reports.services.reports import report_return, report_submit
    from tests.reports.factories import full_content

    with at(DUE - dt.timedelta(days=10)):
        report = submitted_report(cycle, organisations["TV-HCL"], people["reporter"])
        report_return(report=report, comment="Bổ sung số liệu", actor=people["reviewer"])
    mail.outbox.clear()
    run_job(DUE - dt.timedelta(days=7), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
    assert (reminder.stage, reminder.status) == ("due-7", ReminderStatus.SENT)
    message = mails_to("reporter@example.vn")[0]
    assert "“Bị trả lại”" in message.body
    assert "đề nghị đơn vị gửi lại báo cáo" in message.body

    # Sent back: it is with the province again, nobody reminds it.
    with at(DUE - dt.timedelta(days=5)):
        report.refresh_from_db()
        report_submit(
            report=report,
            content=full_content(report),
            version=report.version,
            actor=people["reporter"],
        )
    run_job(DUE - dt.timedelta(days=3), django_capture_on_commit_callbacks)
    assert not Reminder.objects.filter(organisation=organisations["TV-HCL"], stage="due-3")


def test_a_report_submitted_between_claim_and_send_gets_nothing(cycle, people, organisations):
    day = DUE - dt.timedelta(days=3)
    with at(day):
        # Claimed, but the sending job has not run yet (its on-commit never fires here).
        send_deadline_reminders(today=day.isoformat())
        reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
        assert reminder.status == ReminderStatus.CLAIMED
        submitted_report(cycle, organisations["TV-HCL"], people["reporter"])
        mail.outbox.clear()

        assert reminder_deliver(reminder_id=reminder.pk) == "skipped"

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SKIPPED
    assert not mail.outbox
    assert not Notification.objects.filter(user=people["reporter"]).exists()


# Once, however often the job runs ---------------------------------------------------------


def test_running_the_job_twice_sends_each_reminder_once(
    cycle, people, django_capture_on_commit_callbacks
):
    day = DUE - dt.timedelta(days=1)
    first = run_job(day, django_capture_on_commit_callbacks)
    second = run_job(day, django_capture_on_commit_callbacks)

    # DUE - 1 is a stage for both levels: the province level at due-1, the grassroots,
    # past their own due date, at due+14.
    # 14 committees (III.1) and 104 grassroots; the contributors are never reminded.
    assert first["reminders"] == expected_everywhere(cycle).count() == 118
    assert reminded("due-1") == due_on(cycle, DUE)
    assert reminded("due+14") == due_on(cycle, GRASSROOTS_DUE)
    assert second["reminders"] == 0
    assert Reminder.objects.count() == first["reminders"]
    # The two committees whose reporters have addresses; Ban Tuyên giáo's reporter has one
    # too, but it contributes and is never reminded to report.
    assert len(mail.outbox) == 2
    assert not mails_to("body-reporter@example.vn")
    assert Notification.objects.filter(user=people["reporter"]).count() == 1


def test_a_retry_never_sends_a_reminder_that_was_sent(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    run_job(DUE - dt.timedelta(days=14), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
    sent = len(mail.outbox)

    assert send_reminder.apply(kwargs={"reminder_id": reminder.pk}).get() == "not-due"
    assert reminder_deliver(reminder_id=reminder.pk) == "not-due"
    assert len(mail.outbox) == sent
    reminder.refresh_from_db()
    assert reminder.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_two_jobs_started_at_the_same_moment_send_each_reminder_once(
    transactional_db, settings, plan, reviewer, people
):
    needs(connection.vendor == "postgresql", "cần PostgreSQL để chạy hai luồng cùng lúc")
    cycle = make_cycle(plan, reviewer, year=2026, due=DUE)
    day = DUE + dt.timedelta(days=7)  # a reminder stage and a digest day
    barrier = threading.Barrier(2)
    results, errors = [], []

    def job():
        try:
            barrier.wait(timeout=10)
            results.append(send_deadline_reminders(today=day.isoformat()))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    with at(day):
        threads = [threading.Thread(target=job) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors, errors
    expected = expected_organisations(cycle).count()
    assert sum(r["reminders"] for r in results) == expected
    # One digest for the province, one for each district with overdue grassroots.
    nodes = set(ReviewerDigest.objects.values_list("node__code", flat=True))
    assert sum(r["digests"] for r in results) == ReviewerDigest.objects.count() == len(nodes)
    assert nodes == {"TV-TU", *(o.code for o in district_committees())}
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == expected
    for address in ("reporter@example.vn", "other-reporter@example.vn", "reviewer@example.vn"):
        assert len(mails_to(address)) == 1, address


# The reviewers' digest --------------------------------------------------------------------


def test_reviewers_get_one_digest_a_day_listing_each_laggard_with_days_late(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    with at(DUE - dt.timedelta(days=2)):
        submitted_report(cycle, organisations["TV-HCK"], people["other_reporter"])
        make_report(cycle, organisations["TV-HCL"], people["reporter"])
    mail.outbox.clear()

    run_job(DUE, django_capture_on_commit_callbacks)  # due day: not late yet
    assert not mails_to("reviewer@example.vn")

    day = DUE + dt.timedelta(days=3)
    run_job(day, django_capture_on_commit_callbacks)
    run_job(day, django_capture_on_commit_callbacks)
    digests = mails_to("reviewer@example.vn")
    assert len(digests) == 1
    digest = digests[0]
    assert digest.to == ["reviewer@example.vn"]  # reviewers only: not the leader
    assert "18/12/2026" in digest.subject
    assert "quá hạn 3 ngày" in digest.subject
    laggards = expected_organisations(cycle).exclude(code="TV-HCK")
    for organisation in laggards:
        assert f"{organisation.name} — quá hạn 3 ngày" in digest.body
    assert organisations["TV-HCK"].name not in digest.body
    assert "Huyện ủy Càng Long — quá hạn 3 ngày (đang soạn)" in digest.body
    html = digest.alternatives[0]
    assert html.mimetype == "text/html"
    assert f"{SITE}/ky-bao-cao/{cycle.pk}/" in html.content
    row = ReviewerDigest.objects.get(node=organisations["TV-TU"])
    assert row.day == day
    assert row.status == ReminderStatus.SENT
    assert len(row.overdue) == laggards.count()
    assert (
        Notification.objects.filter(
            user=people["reviewer"], title__startswith="Tổng hợp ngày"
        ).count()
        == 1
    )

    run_job(day + dt.timedelta(days=1), django_capture_on_commit_callbacks)
    assert len(mails_to("reviewer@example.vn")) == 2
    assert "quá hạn 4 ngày" in mails_to("reviewer@example.vn")[-1].subject


# Failures ---------------------------------------------------------------------------------


def test_a_failed_send_is_retried_and_then_succeeds(
    settings, cycle, people, organisations, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.reports.test_reminders.FlakyBackend"
    day = DUE - dt.timedelta(days=7)
    with at(day):
        send_deadline_reminders(today=day.isoformat())  # claim only
    reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
    FlakyBackend.failures = 2

    with at(day):
        assert send_reminder.apply(kwargs={"reminder_id": reminder.pk}).get() == "sent"

    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == (ReminderStatus.SENT, 3, "")
    assert len(mails_to("reporter@example.vn")) == 1
    # The in-app notification went with the first attempt, once.
    assert Notification.objects.filter(user=people["reporter"]).count() == 1


def test_the_last_failure_is_recorded_and_shown_to_the_reviewer(
    settings, client_for, cycle, people, organisations
):
    settings.EMAIL_BACKEND = "tests.reports.test_reminders.FlakyBackend"
    settings.EMAIL_MAX_RETRIES = 2
    FlakyBackend.failures = -1
    day = DUE + dt.timedelta(days=1)
    with at(day):
        send_deadline_reminders(today=day.isoformat())
        reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
        assert send_reminder.apply(kwargs={"reminder_id": reminder.pk}).get() == "failed"

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.FAILED
    assert reminder.attempts == 3  # the first try and EMAIL_MAX_RETRIES retries
    assert "SMTPServerDisconnected" in reminder.last_error
    assert not mail.outbox

    with at(day, hour=9):
        page = client_for(people["reviewer"]).get(cycle.get_absolute_url())
        assert page.status_code == 200
        assert "Gửi nhắc hạn không thành công: SMTPServerDisconnected" in page.content.decode()
        page = client_for(people["reporter"]).get(cycle.get_absolute_url())
        assert page.status_code == 200
    assert "Gửi nhắc hạn không thành công" not in page.content.decode()
    assert "Nhắc hạn ngay" not in page.content.decode()


def test_smtp_errors_in_the_real_job_are_retried_with_backoff(settings):
    assert send_reminder.max_retries == settings.EMAIL_MAX_RETRIES
    assert smtplib.SMTPException in send_reminder.autoretry_for
    assert send_reminder.retry_backoff == 60
    assert send_reminder.retry_backoff_max == 3600
    assert send_reminder.retry_jitter is False


# What the e-mail says ---------------------------------------------------------------------


def test_reminder_email_is_vietnamese_with_text_and_html_link_and_deadline(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    run_job(DUE - dt.timedelta(days=7), django_capture_on_commit_callbacks)
    message = mails_to("reporter@example.vn")[0]
    assert message.subject == (
        "Nhắc hạn: còn 7 ngày đến hạn nộp báo cáo của Huyện ủy Càng Long (15/12/2026)"
    )
    link = f"{SITE}/ky-bao-cao/{cycle.pk}/don-vi/TV-HCL/"
    assert link in message.body
    assert "Hạn nộp" in message.body
    assert "15/12/2026" in message.body
    assert "Đơn vị chưa bắt đầu soạn báo cáo." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "<strong>7 ngày</strong>" in html


def test_late_reminder_says_days_late_and_links_the_draft(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    with at(DUE - dt.timedelta(days=1)):
        report = make_report(cycle, organisations["TV-HCL"], people["reporter"])
    run_job(DUE + dt.timedelta(days=7), django_capture_on_commit_callbacks)
    message = mails_to("reporter@example.vn")[0]
    assert message.subject == (
        "Quá hạn 7 ngày: chưa nhận được báo cáo của Huyện ủy Càng Long (hạn nộp 15/12/2026)"
    )
    assert f"{SITE}/bao-cao/{report.pk}/" in message.body
    assert "“Đang soạn”" in message.body
    notification = Notification.objects.get(user=people["reporter"])
    assert notification.url == f"/bao-cao/{report.pk}/"
    assert notification.title == message.subject
    assert "15/12/2026" in notification.body


def test_reporters_without_an_address_still_get_the_notification(
    cycle, reporter, organisations, django_capture_on_commit_callbacks
):
    run_job(DUE - dt.timedelta(days=3), django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
    assert (reminder.status, reminder.recipients) == (ReminderStatus.SENT, [])
    assert not mail.outbox
    assert Notification.objects.filter(user=reporter, read_at__isnull=True).count() == 1


# "Nhắc hạn ngay" ----------------------------------------------------------------------------


def remind_url(cycle, code="TV-HCL"):
    return reverse("reports:reminder_send", args=[cycle.pk, code])


def test_reviewer_reminds_an_organisation_now_at_most_once_a_day(
    client_for, cycle, people, organisations, django_capture_on_commit_callbacks
):
    day = DUE + dt.timedelta(days=2)
    with at(day, hour=9), django_capture_on_commit_callbacks(execute=True):
        client = client_for(people["reviewer"])  # signed in at the travelled-to time
        response = client.post(remind_url(cycle))
    assert response.status_code == 302
    assert response["Location"].startswith(cycle.get_absolute_url())
    assert len(mails_to("reporter@example.vn")) == 1
    reminder = Reminder.objects.get(organisation=organisations["TV-HCL"])
    assert reminder.stage == "manual-2026-12-17"
    assert reminder.requested_by == people["reviewer"]
    assert "Nhắc ngay theo yêu cầu" in reminder_label(reminder)

    with at(day, hour=16), django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(cycle), follow=True)
    assert "Đã nhắc hạn đơn vị này hôm nay; có thể nhắc lại từ ngày mai." in (
        response.content.decode()
    )
    assert len(mails_to("reporter@example.vn")) == 1

    with at(day + dt.timedelta(days=1), hour=8), django_capture_on_commit_callbacks(execute=True):
        client = client_for(people["reviewer"])
        response = client.post(remind_url(cycle), follow=True)
    assert "Đã gửi nhắc hạn đến Huyện ủy Càng Long." in response.content.decode()
    assert len(mails_to("reporter@example.vn")) == 2


def reminder_label(reminder):
    from reports.templatetags.reminder_tags import reminder_label as label

    return label(reminder)


def test_cycle_page_offers_the_reminder_button_to_reviewers(client_for, cycle, people):
    with at(DUE, hour=9):
        response = client_for(people["reviewer"]).get(cycle.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
    # One clear action per row, naming the unit it reminds.
    assert "Nhắc Huyện ủy Càng Long" in page
    assert "tối đa 1 lần mỗi ngày" in page
    assert remind_url(cycle) in page


def test_manual_reminder_to_an_organisation_that_submitted_sends_nothing(
    client_for, cycle, people, organisations, django_capture_on_commit_callbacks
):
    with at(DUE - dt.timedelta(days=1)):
        submitted_report(cycle, organisations["TV-HCL"], people["reporter"])
    mail.outbox.clear()
    with at(DUE, hour=9), django_capture_on_commit_callbacks(execute=True):
        client = client_for(people["reviewer"])
        response = client.post(remind_url(cycle), follow=True)
    assert "Huyện ủy Càng Long đã gửi báo cáo, không cần nhắc hạn." in response.content.decode()
    assert not Reminder.objects.exists()
    assert not mail.outbox
    assert remind_url(cycle) not in response.content.decode()  # no button on its row


def test_manual_reminder_in_a_closed_cycle_is_refused(client_for, cycle, people):
    cycle.status = "closed"
    cycle.save(update_fields=["status"])
    response = client_for(people["reviewer"]).post(remind_url(cycle), follow=True)
    assert "Kỳ báo cáo đã đóng, không gửi nhắc hạn." in response.content.decode()
    assert not Reminder.objects.exists()


def test_only_reviewers_may_send_a_reminder(client_for, client, cycle, people, outsider):
    url = remind_url(cycle)
    for persona in ("reporter", "other_reporter", "leader"):
        assert client_for(people[persona]).post(url).status_code == 403, persona
    assert client_for(outsider).post(url).status_code == 404
    assert client_for(people["reviewer"]).get(url).status_code == 405
    assert client_for(people["reviewer"]).post(remind_url(cycle, "TV-TT")).status_code == 404
    assert client_for(people["reviewer"]).post(remind_url(cycle, "KHONG-CO")).status_code == 404
    client.logout()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Reminder.objects.exists()


# The cycle page stays one query for all the reminders -------------------------------------


def test_cycle_page_query_count_does_not_grow_with_reminders(
    client_for, cycle, people, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    run_job(DUE - dt.timedelta(days=14), django_capture_on_commit_callbacks)
    with at(DUE, hour=9):
        client = client_for(people["reviewer"])
        # 26: two of them count the late units for "Nhắc tất cả đơn vị chậm".
        with django_assert_max_num_queries(26) as small:
            assert client.get(cycle.get_absolute_url()).status_code == 200

    province = province_pk()
    created = Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{i}", name=f"Huyện ủy {i}", kind="district_committee", parent_id=province
        )
        for i in range(200)
    )
    Reminder.objects.bulk_create(
        Reminder(cycle=cycle, organisation=o, stage=stage, status=status, last_error="Lỗi")
        for o in created
        for stage, status in (("due-14", ReminderStatus.SENT), ("due-7", ReminderStatus.FAILED))
    )
    with at(DUE, hour=9), django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(cycle.get_absolute_url())
    # The table is paged: each page shows the reminders of its own organisations.
    with at(DUE, hour=9):
        pages = [
            client.get(cycle.get_absolute_url(), {"trang": n}).content.decode()
            for n in range(1, response.context["pager"].pages + 1)
        ]
    assert len(pages) > 1
    assert sum(page.count("Gửi nhắc hạn không thành công") for page in pages) == 200


# Each level's digest ------------------------------------------------------------------------


def test_a_returned_report_left_past_its_due_date_is_reminded_and_in_the_digest(
    cycle, people, organisations, django_capture_on_commit_callbacks
):
    """Đảng ủy Khối Cơ quan submitted, was returned, and did not send its report back."""
    from reports.services.reports import report_return

    office = organisations["TV-DUKCQ"]
    writer = make_user("khoi-co-quan", organisation=office, role="reporter")
    writer.email = "khoi-co-quan@example.vn"
    writer.save(update_fields=["email"])
    with at(DUE - dt.timedelta(days=20)):
        report = submitted_report(cycle, office, writer)
        report_return(report=report, comment="Thiếu số liệu", actor=people["reviewer"])
    mail.outbox.clear()

    run_job(DUE + dt.timedelta(days=1), django_capture_on_commit_callbacks)

    reminder = Reminder.objects.get(organisation=office)
    assert (reminder.stage, reminder.status) == ("due+1", ReminderStatus.SENT)
    assert mails_to("khoi-co-quan@example.vn")[0].subject.startswith("Quá hạn 1 ngày")
    digest = ReviewerDigest.objects.get(node=organisations["TV-TU"])
    row = next(r for r in digest.overdue if r["code"] == "TV-DUKCQ")
    assert (row["days_late"], row["status"]) == (1, "returned")
    body = mails_to("reviewer@example.vn")[0].body
    assert (
        "Đảng ủy Khối Cơ quan Dân chính Đảng tỉnh — quá hạn 1 ngày (bị trả lại, chưa gửi lại)"
        in body
    )


def test_a_district_reviewer_gets_the_digest_of_its_own_grassroots_only(
    cycle,
    people,
    organisations,
    district_reviewer,
    other_district_reviewer,
    grassroots_reporter,
    django_capture_on_commit_callbacks,
):
    for user in (district_reviewer, other_district_reviewer):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    own = expected_everywhere(cycle).filter(parent=organisations["TV-HCL"])
    others = expected_everywhere(cycle).filter(parent=organisations["TV-HCK"])
    with at(GRASSROOTS_DUE - dt.timedelta(days=2)):
        submitted_report(cycle, organisations["TV-HCL-XANTRUONG"], grassroots_reporter)
    mail.outbox.clear()

    # Two days after the grassroots' due date, thirteen before the districts'.
    run_job(GRASSROOTS_DUE + dt.timedelta(days=2), django_capture_on_commit_callbacks)

    [message] = mails_to("district-reviewer@example.vn")
    assert message.to == ["district-reviewer@example.vn"]
    assert message.subject.startswith(f"Tổng hợp ngày 02/12/2026: {own.count() - 1} đơn vị")
    assert "Huyện ủy Càng Long" in message.body
    for organisation in own.exclude(code="TV-HCL-XANTRUONG"):
        assert f"{organisation.name} — quá hạn 2 ngày" in message.body
    assert "Đảng ủy xã An Trường — " not in message.body
    for organisation in others:
        assert organisation.name not in message.body
    assert f"{SITE}/ky-bao-cao/{cycle.pk}/?don_vi=TV-HCL" in message.body
    # Another district's reviewer hears nothing of Càng Long's grassroots.
    [elsewhere] = mails_to("other-district-reviewer@example.vn")
    for organisation in own:
        assert organisation.name not in elsewhere.body
    assert {r["code"] for r in ReviewerDigest.objects.get(node__code="TV-HCK").overdue} == set(
        others.values_list("code", flat=True)
    )
    # The province level is not late yet: its reviewers get nothing today.
    assert not mails_to("reviewer@example.vn")
    assert not ReviewerDigest.objects.filter(node__code="TV-TU").exists()
    digests = Notification.objects.filter(title__startswith="Tổng hợp ngày")
    notification = digests.get(user=district_reviewer)
    assert notification.url == f"/ky-bao-cao/{cycle.pk}/?don_vi=TV-HCL"
    assert not digests.filter(user=people["reviewer"]).exists()

    # Once a day per committee, however often the job runs.
    run_job(GRASSROOTS_DUE + dt.timedelta(days=2), django_capture_on_commit_callbacks)
    assert len(mails_to("district-reviewer@example.vn")) == 1


def test_the_digests_name_each_organisation_to_the_committee_its_report_goes_to(
    cycle, organisations
):
    """The digests' grouping agrees with the cascade's definition of each level."""
    from reports.notifications.digest import addressees
    from tasks.lines import node_of, plan_lines

    everyone = list(expected_everywhere(cycle).select_related("parent"))
    targets = addressees(everyone, plan_lines(cycle.plan))
    for code in ("TV-TU", "TV-HCL", "TV-HCK"):
        node = node_of(organisations[code])
        assert {o.code for o in everyone if targets.get(o.pk) == node.pk} == set(
            expected_organisations(cycle, node).values_list("code", flat=True)
        ), code


def grow_province(start: int, size: int) -> None:
    """``size`` more districts, each with two grassroots and a reviewer."""
    province = province_pk()
    for n in range(start, start + size):
        district = Organisation.objects.create(
            code=f"Y-{n}", name=f"Huyện ủy Y{n}", kind="district_committee", parent_id=province
        )
        Organisation.objects.bulk_create(
            Organisation(
                code=f"Y-{n}-{k}", name=f"Đảng ủy xã Y{n}-{k}", kind="grassroots", parent=district
            )
            for k in range(2)
        )
        reviewer = make_user(f"y-reviewer-{n}", organisation=district, role="reviewer")
        reviewer.email = f"y{n}@example.vn"
        reviewer.save(update_fields=["email"])


def test_the_daily_run_costs_the_same_queries_however_many_organisations(
    cycle, people, organisations
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite splits bulk writes into batches of its parameter limit")
    # DUE - 1: a stage for both levels, and a digest day for every district.
    day = DUE - dt.timedelta(days=1)
    measured = []
    for start, size in ((0, 1), (1, 30)):
        grow_province(start, size)
        Reminder.objects.all().delete()
        ReviewerDigest.objects.all().delete()
        with at(day), CaptureQueriesContext(connection) as queries:
            counts = send_deadline_reminders(today=day.isoformat())
        districts = start + size
        assert counts["reminders"] == 118 + 3 * districts
        assert counts["digests"] == 9 + districts
        assert ReviewerDigest.objects.get(node__code=f"Y-{districts - 1}").recipients == [
            f"y{districts - 1}@example.vn"
        ]
        measured.append(len(queries))
    # The scope, the lines, the laggards, the reminders' claim, the nodes, their
    # reviewers, the digests' claim, notifications and outbox: one statement each.
    assert measured[0] == measured[1] <= 30, measured
