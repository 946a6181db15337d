"""Report events reach the right people, and the notification centre."""

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from organisations.models import Role
from reports.models import EventKind, Notification, OutboxMessage
from reports.services.reports import report_accept, report_reopen, report_return
from tests.conftest import make_user
from tests.reports.factories import make_cycle, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
SITE = "https://theodoi.example.vn"


@pytest.fixture(autouse=True)
def mail_and_jobs(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(reporter, other_reporter, body_reporter, reviewer, leader, organisations):
    """The personas with addresses, plus a second reviewer and a second Càng Long reporter."""
    extra = {
        "reviewer2": make_user(
            "reviewer2", organisation=organisations["TV-BTC"], role=Role.REVIEWER
        ),
        "reporter2": make_user(
            "reporter2", organisation=organisations["TV-HCL"], role=Role.REPORTER
        ),
    }
    everyone = {
        "reporter": reporter,
        "other_reporter": other_reporter,
        "body_reporter": body_reporter,
        "reviewer": reviewer,
        "leader": leader,
        **extra,
    }
    for user in everyone.values():
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    return everyone


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZONE), tick=False)


def notified(people) -> set[str]:
    return {
        name for name, user in people.items() if Notification.objects.filter(user=user).exists()
    }


def submit(cycle, organisations, people, capture=None, day=DUE - dt.timedelta(days=2)):
    """Càng Long submits; with `capture`, what the submission queued runs after it."""
    with at(day), capture(execute=True) if capture else contextlib.nullcontext():
        return submitted_report(cycle, organisations["TV-HCL"], people["reporter"])


# Who hears about what --------------------------------------------------------------------


def test_submission_notifies_the_plans_reviewers_only(
    cycle, organisations, people, django_capture_on_commit_callbacks
):
    report = submit(cycle, organisations, people, django_capture_on_commit_callbacks)

    assert notified(people) == {"reviewer", "reviewer2"}
    [message] = mail.outbox
    assert message.to == ["reviewer2@example.vn", "reviewer@example.vn"]
    assert message.subject == (
        "Huyện ủy Càng Long đã gửi báo cáo — Báo cáo năm 2026 — Kế hoạch 112-KH/TU"
    )
    assert "lúc 13/12/2026 10:00" in message.body
    assert "Lần gửi đầu tiên đúng hạn (hạn nộp 15/12/2026)." in message.body
    assert f"{SITE}/bao-cao/{report.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{SITE}/bao-cao/{report.pk}/"' in html
    notification = Notification.objects.get(user=people["reviewer"])
    assert notification.url == report.get_absolute_url()
    assert notification.title == message.subject
    outbox = OutboxMessage.objects.get()
    assert (outbox.kind, outbox.status, outbox.report) == ("report-submitted", "sent", report)


def test_late_submission_says_how_late(
    cycle, organisations, people, django_capture_on_commit_callbacks
):
    submit(cycle, organisations, people, django_capture_on_commit_callbacks, DUE + dt.timedelta(3))
    assert "Lần gửi đầu tiên trễ hạn 3 ngày (hạn nộp 15/12/2026)." in mail.outbox[0].body


def test_return_notifies_the_organisations_reporters_with_the_comment(
    cycle, organisations, people, django_capture_on_commit_callbacks
):
    report = submit(cycle, organisations, people, django_capture_on_commit_callbacks)
    Notification.objects.all().delete()
    mail.outbox.clear()

    with at(DUE), django_capture_on_commit_callbacks(execute=True):
        report_return(
            report=report, comment="Bổ sung số liệu nhiệm vụ 3.", actor=people["reviewer"]
        )

    assert notified(people) == {"reporter", "reporter2"}
    [message] = mail.outbox
    assert message.to == ["reporter2@example.vn", "reporter@example.vn"]
    assert message.subject == (
        "Báo cáo của Huyện ủy Càng Long bị trả lại — Báo cáo năm 2026 — Kế hoạch 112-KH/TU"
    )
    assert "Bổ sung số liệu nhiệm vụ 3." in message.body
    assert f"{SITE}/bao-cao/{report.pk}/" in message.body
    assert Notification.objects.get(user=people["reporter"]).body == "Bổ sung số liệu nhiệm vụ 3."


def test_acceptance_and_reopening_notify_the_reporters(
    cycle, organisations, people, django_capture_on_commit_callbacks
):
    report = submit(cycle, organisations, people, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with at(DUE), django_capture_on_commit_callbacks(execute=True):
        report = report_accept(report=report, actor=people["reviewer"])
    [accepted] = mail.outbox
    assert accepted.subject.startswith("Báo cáo của Huyện ủy Càng Long đã được tiếp nhận")
    assert "tiếp nhận lúc 15/12/2026 10:00" in accepted.body
    assert set(accepted.to) == {"reporter@example.vn", "reporter2@example.vn"}

    with at(DUE + dt.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        report_reopen(report=report, reason="Sai số liệu đảng viên mới.", actor=people["reviewer"])
    reopened = mail.outbox[-1]
    assert reopened.subject.startswith("Báo cáo của Huyện ủy Càng Long được mở lại để chỉnh sửa")
    assert "Sai số liệu đảng viên mới." in reopened.body
    titles = set(
        Notification.objects.filter(user=people["reporter"]).values_list("title", flat=True)
    )
    assert titles == {accepted.subject, reopened.subject}
    assert not Notification.objects.filter(user=people["other_reporter"]).exists()
    assert not Notification.objects.filter(user=people["leader"]).exists()


def test_resubmission_says_so(cycle, organisations, people, django_capture_on_commit_callbacks):
    from reports.services.reports import report_submit
    from tests.reports.factories import full_content

    report = submit(cycle, organisations, people, django_capture_on_commit_callbacks)
    with at(DUE):
        report = report_return(report=report, comment="Sửa lại", actor=people["reviewer"])
    mail.outbox.clear()
    with at(DUE), django_capture_on_commit_callbacks(execute=True):
        report_submit(
            report=report, content=full_content(report), version=report.version,
            actor=people["reporter"],
        )  # fmt: skip
    assert mail.outbox[0].subject.startswith("Huyện ủy Càng Long đã gửi lại báo cáo")
    assert "(lần 2)" in mail.outbox[0].body


def test_nobody_with_an_address_means_notifications_but_no_email(
    cycle, organisations, reporter, reviewer, django_capture_on_commit_callbacks
):
    with at(DUE), django_capture_on_commit_callbacks(execute=True):
        submitted_report(cycle, organisations["TV-HCL"], reporter)
    assert Notification.objects.filter(user=reviewer).count() == 1
    assert not OutboxMessage.objects.exists()
    assert not mail.outbox


def test_a_refused_step_notifies_nobody(cycle, organisations, people):
    from reports.services import ServiceError

    report = submit(cycle, organisations, people)
    Notification.objects.all().delete()
    with pytest.raises(ServiceError):
        report_return(report=report, comment="  ", actor=people["reviewer"])
    assert not Notification.objects.exists()


def test_event_kinds_without_news_notify_nobody(cycle, organisations, people):
    from reports.notifications.outbox import report_event_notify

    report = submit(cycle, organisations, people)
    Notification.objects.all().delete()
    assert (
        report_event_notify(report=report, kind=EventKind.SAVED, actor=people["reporter"]) is None
    )
    assert not Notification.objects.exists()


# The notification centre -------------------------------------------------------------------


def make_notifications(user, count, **fields):
    Notification.objects.bulk_create(
        Notification(user=user, title=f"Thông báo số {i}", url="/bao-cao/", **fields)
        for i in range(count)
    )


def test_notification_list_shows_own_newest_first_unread_highlighted(
    client_for, reporter, other_reporter
):
    old = Notification.objects.create(
        user=reporter, title="Cũ đã đọc", created_at=dt.datetime(2026, 1, 1, tzinfo=ZONE),
        read_at=dt.datetime(2026, 1, 2, tzinfo=ZONE),
    )  # fmt: skip
    new = Notification.objects.create(user=reporter, title="Mới chưa đọc", url="/bao-cao/")
    Notification.objects.create(user=other_reporter, title="Của người khác")

    response = client_for(reporter).get(reverse("reports:notifications"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [new, old]
    page = response.content.decode()
    assert "Của người khác" not in page
    assert page.index("Mới chưa đọc") < page.index("Cũ đã đọc")
    assert "list-group-item-warning" in page  # unread highlighted
    assert page.count("Đánh dấu đã đọc") == 1
    assert "Đánh dấu tất cả đã đọc" in page
    assert 'id="so-thong-bao-chua-doc">1<' in page  # the bell in the top bar


def test_notification_list_is_paginated_by_30(client_for, reporter):
    make_notifications(reporter, 45)
    client = client_for(reporter)
    first = client.get(reverse("reports:notifications"))
    assert len(first.context["page"]) == 30
    second = client.get(reverse("reports:notifications") + "?trang=2")
    assert len(second.context["page"]) == 15


def test_people_without_a_role_have_an_empty_list(client_for, outsider):
    response = client_for(outsider).get(reverse("reports:notifications"))
    assert response.status_code == 200
    assert "Chưa có thông báo nào." in response.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client_for, reporter):
    notification = Notification.objects.create(
        user=reporter, title="Báo cáo bị trả lại", url="/bao-cao/7/"
    )
    response = client_for(reporter).post(
        reverse("reports:notification_read", args=[notification.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == "/bao-cao/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_goes_back_to_the_list_and_ignores_foreign_urls(client_for, reporter):
    notification = Notification.objects.create(
        user=reporter, title="A", url="https://evil.example/"
    )
    url = reverse("reports:notification_read", args=[notification.pk])
    client = client_for(reporter)
    back = reverse("reports:notifications") + "?trang=2"
    assert client.post(url, {"next": back})["Location"] == back
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == reverse(
        "reports:notifications"
    )


def test_another_users_notification_is_not_found(client_for, reporter, other_reporter):
    notification = Notification.objects.create(user=reporter, title="Riêng")
    url = reverse("reports:notification_read", args=[notification.pk])
    assert client_for(other_reporter).post(url).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(client_for, reporter, other_reporter):
    make_notifications(reporter, 3)
    make_notifications(other_reporter, 2)
    response = client_for(reporter).post(reverse("reports:notifications_read_all"), follow=True)
    assert "Đã đánh dấu 3 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(user=reporter, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other_reporter, read_at__isnull=True).count() == 2
    assert "so-thong-bao-chua-doc" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [("notifications", "post"), ("notification_read", "get"), ("notifications_read_all", "get")],
)
def test_wrong_method_is_refused(client_for, reporter, name, method):
    notification = Notification.objects.create(user=reporter, title="A")
    args = [notification.pk] if name == "notification_read" else []
    response = getattr(client_for(reporter), method)(reverse(f"reports:{name}", args=args))
    assert response.status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, reporter):
    notification = Notification.objects.create(user=reporter, title="A")
    for url, method in (
        (reverse("reports:notifications"), "get"),
        (reverse("reports:notification_read", args=[notification.pk]), "post"),
        (reverse("reports:notifications_read_all"), "post"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_notification_list_query_count_is_fixed(
    client_for, reporter, django_assert_max_num_queries
):
    client = client_for(reporter)
    make_notifications(reporter, 3)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("reports:notifications"))
    make_notifications(reporter, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("reports:notifications"))
    assert response.context["page"].paginator.count == 203
