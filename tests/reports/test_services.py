"""The life of a report (DESIGN §4), through the services."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.figures.content import ReportContent, missing_wholes
from reports.models import AnnualReport, EventKind, ReportEvent, ReportStatus
from reports.services import ConcurrentEdit, ServiceError, SubmissionInvalid
from reports.services.cycles import cycle_close, cycle_open
from reports.services.reports import (
    report_accept,
    report_reopen,
    report_return,
    report_save,
    report_start,
    report_submit,
)
from tasks.models import ValidationRule
from tests.reports.factories import full_content, make_cycle, make_report, submitted_report

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer)


@pytest.fixture
def report(cycle, organisations, reporter):
    return make_report(cycle, organisations["TV-HCL"], reporter)


def kinds(report):
    return list(report.events.order_by("at", "pk").values_list("kind", flat=True))


def test_district_report_has_every_task_and_its_figures(report, plan):
    assert report.sections.count() == 7
    assert report.values.count() == plan.indicators.count()
    assert kinds(report) == [EventKind.CREATED]


def test_contributing_body_cannot_start_a_report(cycle, organisations, body_reporter):
    """Ban Tuyên giáo contributes to Ban Tổ chức's report (duty 2); III.1 obliges only the
    committees to report, so it has no report to start."""
    with pytest.raises(ServiceError, match="không thuộc phạm vi báo cáo"):
        report_start(cycle=cycle, organisation=organisations["TV-BTG"], actor=body_reporter)


def test_organisation_outside_scope_cannot_start(cycle, organisations, reviewer):
    with pytest.raises(ServiceError, match="không thuộc phạm vi báo cáo"):
        report_start(cycle=cycle, organisation=organisations["TV-BTC"], actor=reviewer)


def test_starting_twice_gives_the_same_report(report, cycle, organisations, reporter):
    again = report_start(cycle=cycle, organisation=organisations["TV-HCL"], actor=reporter)
    assert again.pk == report.pk
    assert AnnualReport.objects.count() == 1


def test_half_filled_draft_can_be_saved(report, reporter):
    content = ReportContent.of(report)
    content.sections[3].results = "Kết nạp 125 đảng viên"
    content.figures["T3_ADMITTED"] = Decimal(125)
    opened = report.version
    saved = report_save(report=report, content=content, version=opened, actor=reporter)
    assert saved.version == opened + 1
    assert saved.last_saved_by == reporter
    assert saved.sections.get(task__number=3).results == "Kết nạp 125 đảng viên"
    assert saved.values.get(indicator__code="T3_ADMITTED").value == 125
    assert saved.status == ReportStatus.DRAFT


def test_second_save_from_a_stale_version_is_refused_and_first_is_kept(report, reporter):
    opened = report.version
    first = ReportContent.of(report)
    first.overall_assessment = "Bản của người thứ nhất"
    report_save(report=report, content=first, version=opened, actor=reporter)
    second = ReportContent.of(report)
    second.overall_assessment = "Bản của người thứ hai"
    with pytest.raises(ConcurrentEdit, match="CHƯA được lưu") as excinfo:
        report_save(report=report, content=second, version=opened, actor=reporter)
    report.refresh_from_db()
    assert report.overall_assessment == "Bản của người thứ nhất"
    assert excinfo.value.report.overall_assessment == "Bản của người thứ nhất"


def test_submit_with_missing_parts_saves_but_lists_errors(report, reporter):
    content = full_content(report)
    content.sections[2].results = ""
    content.figures["T3_ADMITTED"] = None
    content.signer_name = ""
    with pytest.raises(SubmissionInvalid) as excinfo:
        report_submit(report=report, content=content, version=report.version, actor=reporter)
    errors = excinfo.value.errors
    assert "s2-results" in errors
    assert "i-T3_ADMITTED" in errors
    assert "signer_name" in errors
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.sections.get(task__number=1).results == "Kết quả nhiệm vụ 1"  # saved
    assert EventKind.SUBMITTED not in kinds(report)


def test_submit_checks_the_plans_validation_rules(report, reporter):
    content = full_content(report)
    content.figures["T3_ADMITTED"] = Decimal(10)
    content.figures["T3_ADMITTED_WOMEN"] = Decimal(11)
    with pytest.raises(SubmissionInvalid) as excinfo:
        report_submit(report=report, content=content, version=report.version, actor=reporter)
    assert any("nữ" in m for m in excinfo.value.errors["i-T3_ADMITTED_WOMEN"])


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        ("T7_ORGS_DISCIPLINED", "T7_ORGS_TO_DISCIPLINE"),
        ("T7_MEMBERS_DISCIPLINED", "T7_MEMBERS_TO_DISCIPLINE"),
    ],
)
def test_a_part_given_makes_its_whole_required(report, reporter, part, whole):
    content = full_content(report)
    content.figures[part] = Decimal(2)
    content.figures[whole] = None
    with pytest.raises(SubmissionInvalid) as excinfo:
        report_submit(report=report, content=content, version=report.version, actor=reporter)
    (message,) = excinfo.value.errors[f"i-{whole}"]
    assert message.startswith("Phải nhập “Số ")
    assert "phải xem xét, xử lý kỷ luật” khi đã nhập “Số " in message
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_whole_is_needed_only_once_a_part_is_given():
    rule = ValidationRule(parts=["A", "B"], operator="lte", whole=["W"], message="")
    assert missing_wholes(rule, {"A": None, "B": None, "W": None}) == []
    assert missing_wholes(rule, {"A": None, "B": Decimal(0), "W": None}) == ["W"]
    assert missing_wholes(rule, {"A": Decimal(1), "W": Decimal(0)}) == []


def test_submission_freezes_a_snapshot(report, reporter):
    submitted = report_submit(
        report=report, content=full_content(report), version=report.version, actor=reporter
    )
    assert submitted.status == ReportStatus.SUBMITTED
    event = submitted.events.get(kind=EventKind.SUBMITTED)
    assert event.snapshot["sections"]["1"]["results"] == "Kết quả nhiệm vụ 1"
    assert event.snapshot["figures"]["T3_ADMITTED"] is not None


def test_snapshot_unchanged_by_later_edits(report, reporter, reviewer):
    report = report_submit(
        report=report, content=full_content(report), version=report.version, actor=reporter
    )
    frozen = report.events.get(kind=EventKind.SUBMITTED).snapshot
    report = report_return(report=report, comment="Bổ sung số liệu", actor=reviewer)
    report_save(
        report=report, content=full_content(report, text="Sửa"), version=report.version,
        actor=reporter,
    )  # fmt: skip
    event = report.events.get(kind=EventKind.SUBMITTED)
    assert event.snapshot == frozen
    assert event.snapshot["sections"]["1"]["results"] == "Kết quả nhiệm vụ 1"
    event.comment = "đổi"
    with pytest.raises(ValueError, match="never changed"):
        event.save()


def test_double_submit_records_one_submission(report, reporter):
    version = report.version
    content = full_content(report)
    report_submit(report=report, content=content, version=version, actor=reporter)
    with pytest.raises(ServiceError):
        report_submit(report=report, content=content, version=version, actor=reporter)
    report.refresh_from_db()
    assert report.submission_count == 1
    assert report.events.filter(kind=EventKind.SUBMITTED).count() == 1


@pytest.mark.parametrize(
    ("moment", "on_time"),
    [
        (dt.datetime(2026, 12, 15, 23, 59, 59, tzinfo=HCM), True),
        (dt.datetime(2026, 12, 16, 0, 0, 1, tzinfo=HCM), False),
        # 16:59 UTC on the due day is 23:59 in Hồ Chí Minh City: still on time.
        (dt.datetime(2026, 12, 15, 16, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2026, 12, 15, 17, 0, 1, tzinfo=dt.UTC), False),
    ],
)
def test_lateness_is_judged_at_the_end_of_the_due_day_in_vietnam(
    cycle, organisations, reporter, moment, on_time
):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    with time_machine.travel(moment, tick=False):
        report = report_submit(
            report=report, content=full_content(report), version=report.version, actor=reporter
        )
    assert report.on_time is on_time
    assert report.days_late == (0 if on_time else 1)


def test_late_first_submission_stays_late_after_return(cycle, organisations, reporter, reviewer):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, tzinfo=HCM), tick=False):
        report = report_submit(
            report=report, content=full_content(report), version=report.version, actor=reporter
        )
    with time_machine.travel(dt.datetime(2026, 12, 21, 9, tzinfo=HCM), tick=False):
        report = report_return(report=report, comment="Sửa", actor=reviewer)
        report = report_submit(
            report=report, content=full_content(report), version=report.version, actor=reporter
        )
    assert report.on_time is False
    assert report.submission_count == 2


def test_full_life_return_resubmit_accept_reopen(cycle, organisations, reporter, reviewer):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    report = report_return(
        report=report,
        comment="Đề nghị bổ sung",
        section_comments={3: "Bổ sung số đảng viên nữ", 4: ""},
        actor=reviewer,
    )
    assert report.status == ReportStatus.RETURNED
    returned = report.events.get(kind=EventKind.RETURNED)
    assert returned.section_comments == {"3": "Bổ sung số đảng viên nữ"}
    report = report_submit(
        report=report, content=full_content(report, text="Đã sửa"), version=report.version,
        actor=reporter,
    )  # fmt: skip
    report = report_accept(report=report, actor=reviewer)
    assert report.status == ReportStatus.ACCEPTED
    assert report.accepted_at is not None
    with pytest.raises(ServiceError, match="không thể sửa"):
        report_save(report=report, content=full_content(report), version=report.version,
                    actor=reporter)  # fmt: skip
    report = report_reopen(report=report, reason="Sai số liệu nhiệm vụ 3", actor=reviewer)
    assert report.status == ReportStatus.RETURNED
    assert report.accepted_at is None
    assert kinds(report) == [
        "created", "saved", "submitted", "returned", "saved", "submitted", "accepted", "reopened",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("step", "status"),
    [
        ("return", ReportStatus.DRAFT),
        ("accept", ReportStatus.DRAFT),
        ("reopen", ReportStatus.SUBMITTED),
        ("accept", ReportStatus.ACCEPTED),
        ("return", ReportStatus.RETURNED),
    ],
)
def test_forbidden_transitions_are_refused(cycle, organisations, reporter, reviewer, step, status):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    if status != ReportStatus.DRAFT:
        report = report_submit(
            report=report, content=full_content(report), version=report.version, actor=reporter
        )
    if status == ReportStatus.ACCEPTED:
        report = report_accept(report=report, actor=reviewer)
    if status == ReportStatus.RETURNED:
        report = report_return(report=report, comment="x", actor=reviewer)
    events = ReportEvent.objects.count()
    action = {
        "return": lambda: report_return(report=report, comment="x", actor=reviewer),
        "accept": lambda: report_accept(report=report, actor=reviewer),
        "reopen": lambda: report_reopen(report=report, reason="x", actor=reviewer),
    }[step]
    with pytest.raises(ServiceError, match="không thể thực hiện"):
        action()
    report.refresh_from_db()
    assert report.status == status
    assert ReportEvent.objects.count() == events


def test_return_needs_a_comment_and_reopen_a_reason(cycle, organisations, reporter, reviewer):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    with pytest.raises(ServiceError, match="ý kiến"):
        report_return(report=report, comment="  ", actor=reviewer)
    report = report_accept(report=report, actor=reviewer)
    with pytest.raises(ServiceError, match="lý do"):
        report_reopen(report=report, reason="", actor=reviewer)


def test_closed_cycle_takes_no_submission(cycle, report, reporter, reviewer):
    cycle_close(cycle=cycle, actor=reviewer)
    report.cycle.refresh_from_db()
    with pytest.raises(ServiceError, match="đã đóng"):
        report_submit(
            report=report, content=full_content(report), version=report.version, actor=reporter
        )


def test_cycle_needs_ordered_dates_and_one_per_year(plan, reviewer):
    make_cycle(plan, reviewer, year=2025)
    with pytest.raises(ServiceError, match="đã có kỳ báo cáo năm 2025"):
        make_cycle(plan, reviewer, year=2025)
    with pytest.raises(ServiceError, match="theo thứ tự"):
        cycle_open(
            plan=plan, year=2024, period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2024, 12, 31), opens_on=dt.date(2024, 12, 20),
            due_on=dt.date(2024, 12, 15), closes_on=dt.date(2025, 1, 31), actor=reviewer,
        )  # fmt: skip


def test_organisation_closed_before_the_period_cannot_start(cycle, organisations, reporter):
    district = organisations["TV-HCL"]
    district.valid_to = dt.date(2025, 6, 30)
    district.save(update_fields=["valid_to"])
    with pytest.raises(ServiceError, match="không hoạt động trong kỳ"):
        report_start(cycle=cycle, organisation=district, actor=reporter)
    assert not AnnualReport.objects.exists()
