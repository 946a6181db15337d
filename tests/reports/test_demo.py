"""The demo history: four cycles per plan in believable states, made through the services."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import DateTimeField
from django.utils import timezone

from organisations.models import Organisation, OrganisationKind, User
from reports.demo.accounts import demo_accounts_create, reporter_username
from reports.demo.data import demo_data
from reports.demo.history import demo_history_create
from reports.figures.content import ReportContent, submission_errors
from reports.models import (
    AnnualReport,
    AttachmentKind,
    CycleStatus,
    EventKind,
    Notification,
    OutboxMessage,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    SubPlan,
)
from reports.services.reports import report_for_snapshot
from tasks.selectors import organisations_in_scope

TODAY = dt.date(2026, 11, 24)
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def history(plan, organisations, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHER
    demo_accounts_create(password="x-demo-123")
    return demo_history_create(today=TODAY)


def expected_organisations(plan) -> set[int]:
    candidates = list(Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL))
    return {pk for pk, tasks in organisations_in_scope(plan, candidates).items() if tasks}


def statuses(cycle) -> set[str]:
    return set(cycle.reports.values_list("status", flat=True))


def test_four_cycles_three_closed_and_the_current_one_open(history, plan):
    cycles = list(ReportingCycle.objects.filter(plan=plan).order_by("year"))
    assert [c.year for c in cycles] == [2023, 2024, 2025, 2026]
    assert [c.status for c in cycles] == [CycleStatus.CLOSED] * 3 + [CycleStatus.OPEN]
    current = cycles[-1]
    assert (current.opens_on, current.due_on, current.closes_on) == (
        dt.date(2026, 11, 1), dt.date(2026, 12, 15), dt.date(2027, 1, 31),
    )  # fmt: skip
    assert history["cycles"] == 4
    assert (history["cycles_closed"], history["cycles_open"]) == (3, 1)


def test_current_cycle_has_every_state_and_organisations_not_started(history, plan):
    cycle = ReportingCycle.objects.get(plan=plan, year=2026)
    assert {
        ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED, ReportStatus.DRAFT,
    } <= statuses(cycle)  # fmt: skip
    started = set(cycle.reports.values_list("organisation_id", flat=True))
    assert started < expected_organisations(plan)
    # Nothing in the current cycle is late yet, and nothing happened after "today".
    assert all(r.on_time is not False for r in cycle.reports.all())
    latest = ReportEvent.objects.order_by("-at").first().at
    assert latest.date() < TODAY


def test_past_cycles_have_late_on_time_and_missing_reports(history, plan):
    expected = expected_organisations(plan)
    for cycle in ReportingCycle.objects.filter(plan=plan, status=CycleStatus.CLOSED):
        reports = list(cycle.reports.select_related("cycle"))
        accepted = [r for r in reports if r.status == ReportStatus.ACCEPTED]
        assert len(accepted) > len(reports) * 0.7, cycle.year
        assert any(r.on_time is False for r in accepted), cycle.year
        assert any(r.on_time is True for r in accepted), cycle.year
        assert any(r.submission_count > 1 for r in accepted), cycle.year
        assert ReportStatus.SUBMITTED in {r.status for r in reports}, cycle.year
        assert {r.organisation_id for r in reports} < expected, cycle.year
        assert all(r.last_submitted_at < cycle.closed_at for r in reports)


def test_reports_pass_the_rules_with_snapshots_comments_and_scans(history, plan, settings):
    rules = list(plan.rules.all())
    reports = AnnualReport.objects.exclude(status=ReportStatus.DRAFT)
    assert reports.count() > 50
    for report in reports.filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]):
        full = report_for_snapshot(report)
        sections = list(full.sections.all())
        indicators = [i for s in sections for i in s.task.indicators.all()]
        content = ReportContent.of(full)
        assert submission_errors(content, sections, indicators, rules) == {}, report
        assert content.signer_name
        assert content.signer_position
        for indicator in indicators:
            value = content.figures.get(indicator.code)
            if value is not None and indicator.value_type == "percent":
                assert 0 <= value <= 100

    submissions = ReportEvent.objects.filter(kind=EventKind.SUBMITTED)
    assert submissions.exists()
    assert not submissions.filter(snapshot__isnull=True).exists()

    returned = AnnualReport.objects.filter(status=ReportStatus.RETURNED)
    assert returned.exists()
    for report in returned:
        event = report.events.filter(kind=EventKind.RETURNED).last()
        assert event is not None
        assert event.comment
        assert event.section_comments
    # Accepted after a return: the second submission differs from the first.
    resubmitted = AnnualReport.objects.filter(submission_count__gt=1).first()
    first, second = resubmitted.events.filter(kind=EventKind.SUBMITTED).order_by("at")[:2]
    assert first.snapshot != second.snapshot

    with_scan = reports.filter(attachments__kind=AttachmentKind.SIGNED_SCAN).distinct()
    assert with_scan.count() > reports.count() * 0.7
    attachment = with_scan.first().attachments.first()
    assert attachment.file.read(5) == b"%PDF-"
    assert str(settings.MEDIA_ROOT) in attachment.file.path


def test_subplans_for_some_committees_on_time_and_late(history, plan):
    plan.refresh_from_db()
    assert plan.subplans_due == dt.date(2023, 3, 31)
    districts = Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COMMITTEE)
    subplans = list(SubPlan.objects.filter(plan=plan).select_related("plan", "organisation"))
    with_plan = {s.organisation_id for s in subplans}
    assert 0 < len(with_plan & set(districts.values_list("pk", flat=True))) < districts.count()
    assert {s.on_time for s in subplans} == {True, False}
    for subplan in subplans:
        assert re.fullmatch(r"\d{2}-KH/(HU|TU|ĐU)", subplan.number)
        assert subplan.issued_on <= subplan.registered_at.date()


def fingerprint() -> list:
    reports = AnnualReport.objects.select_related("cycle", "organisation").order_by(
        "cycle__year", "organisation__code"
    )
    subplans = SubPlan.objects.order_by("organisation__code")
    return [
        (r.cycle.year, r.organisation.code, r.status, r.submission_count, r.first_submitted_at,
         r.overall_assessment)
        for r in reports
    ] + list(subplans.values_list("number", "registered_at"))  # fmt: skip


def test_same_history_every_time_and_a_second_run_creates_nothing(
    plan, organisations, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHER
    demo_accounts_create(password="x-demo-123")
    with transaction.atomic():
        demo_history_create(today=TODAY)
        before = fingerprint()
        transaction.set_rollback(True)
    assert not AnnualReport.objects.exists()

    counts = demo_history_create(today=TODAY)
    assert counts["created"] is True
    assert fingerprint() == before

    events = ReportEvent.objects.count()
    again = demo_history_create(today=TODAY)
    assert again == {**counts, "created": False}
    assert ReportEvent.objects.count() == events
    assert fingerprint() == before


def test_seed_demo_prints_the_history(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = FAST_HASHER
    out = StringIO()
    call_command("seed_demo", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("Lịch sử báo cáo:"))
    assert re.match(
        r"Lịch sử báo cáo: 4 kỳ \(3 đã đóng, 1 đang mở\), \d+ báo cáo \(\d+ đã tiếp nhận.*\),"
        r" \d+ kế hoạch thực hiện",
        line,
    ), line
    assert ReportingCycle.objects.count() == 4
    # A line per step while it works, so a minute of seeding is not a silent minute.
    lines = out.getvalue().splitlines()
    assert "Lịch sử báo cáo của Kế hoạch 112-KH/TU:" in lines
    assert any(x.startswith("  Kế hoạch thực hiện của các cấp ủy: ") for x in lines)
    years = [int(m[1]) for x in lines if (m := re.match(r"  Kỳ báo cáo năm (\d{4}) ", x))]
    assert len(years) == 4
    assert years == sorted(years)

    # Exactly one account is marked to try first, and it has a report to write.
    marked = [x.split()[0] for x in lines if "← thử trước" in x]
    assert len(marked) == 1
    assert marked[0] == reporter_username(Organisation.objects.get(code=demo_data().try_first))
    reporter = User.objects.get(username=marked[0])
    organisation = reporter.memberships.get().organisation
    current = ReportingCycle.objects.get(status=CycleStatus.OPEN)
    report = AnnualReport.objects.filter(cycle=current, organisation=organisation).first()
    assert report is None or report.status == ReportStatus.DRAFT

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "đã có từ trước, không tạo thêm" in out.getvalue()
    assert ReportingCycle.objects.count() == 4


def test_readme_suggests_the_reporter_the_demo_keeps_a_report_for(plan, organisations, settings):
    username = reporter_username(Organisation.objects.get(code=demo_data().try_first))
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"`{username}`" in quick_start
    assert "make run PORT=8001" in quick_start


def test_history_is_dated_before_today_and_sends_no_mail(
    plan, organisations, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    demo_accounts_create(password="x-demo-123")
    with django_capture_on_commit_callbacks(execute=True):
        demo_history_create(today=TODAY)

    assert not (tmp_path / "mail").exists() or not any((tmp_path / "mail").iterdir())
    assert not OutboxMessage.objects.exists()
    # The people concerned were told in the application, back then.
    assert Notification.objects.exists()

    start_of_today = dt.datetime.combine(TODAY, dt.time(), timezone.get_current_timezone())
    for model in apps.get_app_config("reports").get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, DateTimeField):
                later = model.objects.filter(**{f"{field.name}__gte": start_of_today})
                assert not later.exists(), f"{model.__name__}.{field.name}"
    assert ReportEvent.objects.filter(at__year=TODAY.year - 3).exists()


def test_history_cannot_end_after_today(db):
    with pytest.raises(ValueError, match="sau hôm nay"):
        demo_history_create(today=timezone.localdate() + dt.timedelta(days=1))
