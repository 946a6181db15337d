"""'Nhắc tất cả đơn vị chậm': one action reminds every late unit of a level, after a
confirmation that says how many; the row's own button disappears once used today."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from reports.figures.definitions import expected_organisations
from reports.models import Reminder
from reports.notifications.late import late_to_remind
from tests.reports.factories import make_cycle, make_report, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)


@pytest.fixture(autouse=True)
def mail_and_jobs(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE), tick=False)


def late_url(cycle):
    return reverse("reports:reminders_send_late", args=[cycle.pk])


def test_nothing_is_late_before_the_due_date(cycle):
    with at(DUE):
        assert late_to_remind(cycle, None).count() == 0


def test_after_the_due_date_every_unit_not_handed_in_is_late(
    cycle, reporter, other_reporter, organisations
):
    submitted_report(cycle, organisations["TV-HCK"], other_reporter)
    make_report(cycle, organisations["TV-HCL"], reporter)  # a draft is still awaited
    with at(DUE + dt.timedelta(days=2)):
        late = set(late_to_remind(cycle, None).values_list("code", flat=True))
        expected = set(expected_organisations(cycle, None).values_list("code", flat=True))
    assert late == expected - {"TV-HCK"}
    assert "TV-HCL" in late


def test_cycle_page_offers_one_bulk_action_with_the_count(client_for, reviewer, cycle):
    with at(DUE + dt.timedelta(days=2)):
        client = client_for(reviewer)
        count = late_to_remind(cycle, None).count()
        page = client.get(cycle.get_absolute_url()).content.decode()
    assert count > 1
    assert f"Nhắc tất cả đơn vị chậm ({count})" in page
    assert late_url(cycle) in page


def test_bulk_reminder_asks_for_confirmation_then_reminds_each_late_unit_once(
    client_for, reviewer, reporter, cycle, django_capture_on_commit_callbacks
):
    reporter.email = "hcl@example.vn"
    reporter.save(update_fields=["email"])
    with at(DUE + dt.timedelta(days=2)):
        client = client_for(reviewer)
        count = late_to_remind(cycle, None).count()
        confirm = client.get(late_url(cycle))
        assert confirm.status_code == 200
        assert confirm.context["count"] == count
        assert Reminder.objects.count() == 0  # asking sends nothing
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(late_url(cycle), follow=True)
        assert f"Đã gửi nhắc hạn đến {count} đơn vị chậm nộp." in response.content.decode()
        assert Reminder.objects.filter(stage="manual-2026-12-17").count() == count
        assert len([m for m in mail.outbox if "hcl@example.vn" in m.to]) == 1
        # Everyone was reminded today: nothing left to remind, no row button either.
        assert late_to_remind(cycle, None).count() == 0
        page = client.get(cycle.get_absolute_url()).content.decode()
    assert "Nhắc tất cả đơn vị chậm" not in page
    assert "Đã nhắc hôm nay" in page
    assert "Nhắc Huyện ủy Càng Long" not in page


def test_a_district_reviewer_reminds_only_its_own_units(
    client_for, district_reviewer, cycle, django_capture_on_commit_callbacks
):
    with at(DUE + dt.timedelta(days=2)):
        client = client_for(district_reviewer)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(late_url(cycle))
    reminded = Reminder.objects.values_list("organisation__parent__code", flat=True)
    assert reminded
    assert set(reminded) == {"TV-HCL"}


def test_leaders_read_but_do_not_remind(client_for, leader, cycle):
    with at(DUE + dt.timedelta(days=2)):
        assert client_for(leader).post(late_url(cycle)).status_code == 403
    assert not Reminder.objects.exists()


def test_dashboard_offers_the_same_bulk_action_to_reviewers_only(
    client_for, reviewer, leader, cycle
):
    url = reverse("reports:dashboard", args=[cycle.pk])
    with at(DUE + dt.timedelta(days=2)):
        count = late_to_remind(cycle, None).count()
        for_reviewer = client_for(reviewer).get(url).content.decode()
        for_leader = client_for(leader).get(url).content.decode()
    assert f"Nhắc tất cả đơn vị chậm ({count})" in for_reviewer
    assert "Nhắc tất cả đơn vị chậm" not in for_leader
