"""The yearly summary's draft: what the application composes, and the services that edit,
recompose and restore it."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.figures.definitions import previous_cycle
from reports.figures.totals import indicator_totals
from reports.models import (
    AnnualReport,
    Contribution,
    ContributionPart,
    ContributionStatus,
    DraftPart,
    ReportStatus,
    TaskSection,
    VersionSource,
)
from reports.services import ServiceError
from reports.services.subplans import subplan_register
from reports.services.uploads import PDF as PDF_TYPE
from reports.services.uploads import check_upload
from reports.summary.draft import compose
from reports.summary.services import (
    MAX_PART_LENGTH,
    DraftConflict,
    draft_open,
    draft_part_resolve,
    draft_part_restore,
    draft_part_save,
    draft_regenerate,
)
from reports.summary.sources import contributions_for_summary
from tasks.models import Task
from tests.reports import test_summary as base
from tests.reports.factories import PDF, make_cycle
from tests.reports.test_summary import TZ, put_report

# The summary's world (2025 and 2026, three units) and its settings, shared.
year, media, office = base.year, base.media, base.office


def parts_of(cycle, **options) -> dict:
    return {part.key: part for part in compose(cycle, **options)}


def lines(text: str) -> list[str]:
    return text.splitlines()


# Composition ----------------------------------------------------------------------------


def test_a_tasks_part_states_its_totals_and_the_change_on_last_year(year):
    cycle = year["cycle"]
    task = parts_of(cycle)["task-3"]
    totals = indicator_totals(cycle, previous=previous_cycle(cycle)).by_code()
    admitted = totals["T3_ADMITTED"]
    # Càng Long 7 + Cầu Kè 5 accepted this year; Càng Long 10 last year.
    assert (admitted.value, admitted.previous) == (12, 10)
    assert (
        f"- {admitted.indicator.name}: 12 {admitted.indicator.unit}, tăng 2 (20%) so với năm"
        " 2025." in lines(task.text)
    )
    assert task.heading == f"3. {Task.objects.get(plan=cycle.plan, number=3).title}"
    assert task.section == "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"


def test_more_reports_than_last_year_is_said_before_any_rise(year):
    task = parts_of(year["cycle"])["task-3"]
    assert lines(task.text)[0] == (
        "Số liệu năm nay tính từ 2 báo cáo, năm 2025 từ 1 báo cáo; mức tăng, giảm dưới đây có"
        " phần do số đơn vị báo cáo khác nhau."
    )


def test_fewer_reports_than_last_year_states_no_rise_or_fall(
    plan, organisations, reviewer, reporter, other_reporter, media
):
    """Like for like: two units reported last year, one this year; a fall in the total is
    the missing unit, not a fall, and the text says what each year holds instead."""
    with time_machine.travel(dt.datetime(2025, 12, 1, 9, tzinfo=TZ), tick=False):
        before = make_cycle(plan, reviewer, year=2025)
        for code, who in (("TV-HCL", reporter), ("TV-HCK", other_reporter)):
            put_report(
                before, organisations[code], who, status=ReportStatus.ACCEPTED,
                submitted_at=timezone.now(), text="Năm trước", figures={"T3_ADMITTED": 10},
            )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=TZ), tick=False):
        cycle = make_cycle(plan, reviewer, year=2026)
        put_report(
            cycle, organisations["TV-HCL"], reporter, status=ReportStatus.ACCEPTED,
            submitted_at=timezone.now(), text="Năm nay", figures={"T3_ADMITTED": 7},
        )  # fmt: skip
    text = parts_of(cycle)["task-3"].text
    admitted = next(line for line in lines(text) if "mới được kết nạp:" in line)
    assert admitted.endswith(
        ": 7 người, chưa so sánh được với năm 2025 vì số báo cáo khác nhau (năm 2025: 2 báo"
        " cáo; năm nay: 1 báo cáo)."
    )
    assert "giảm" not in text
    assert "tăng" not in text


def test_quotes_name_their_unit_and_link_to_the_section_they_came_from(year):
    task = parts_of(year["cycle"])["task-1"]
    hcl = year["hcl"]
    quote = next(q for q in task.quotes if q["unit"] == "Huyện ủy Càng Long")
    assert quote == {
        "unit": "Huyện ủy Càng Long",
        "text": "Càng Long mở 12 lớp bồi dưỡng nhiệm vụ 1",
        "url": reverse("reports:report_detail", args=[hcl.pk]) + "#nhiem-vu-1",
        "task": 1,
    }
    assert "- Huyện ủy Càng Long: Càng Long mở 12 lớp bồi dưỡng nhiệm vụ 1" in lines(task.text)
    # Submitted, not accepted: neither quoted nor offered, unless asked for.
    assert not any("Khối Cơ quan" in q["text"] for q in task.quotes)
    with_submitted = parts_of(year["cycle"], include_submitted=True)["task-1"]
    assert any(q["text"].startswith("Khối Cơ quan biên soạn") for q in with_submitted.quotes)


def test_the_level_distribution_counts_the_units_ratings(year):
    cycle = year["cycle"]
    TaskSection.objects.filter(report=year["hck"], task__number=2).update(level="fair")
    # The tallies count what the services saw; counted here independently from the rows.
    rated = TaskSection.objects.filter(
        report__cycle=cycle, report__status=ReportStatus.ACCEPTED, task__number=1
    )
    assert rated.filter(level="good").count() == 2
    assert "Các đơn vị tự đánh giá kết quả thực hiện: Tốt: 2 đơn vị." in lines(
        parts_of(cycle)["task-1"].text
    )


def test_part_one_counts_subplans_and_quotes_the_units_leadership(
    year, plan, organisations, reporter, settings
):
    cycle = year["cycle"]
    AnnualReport.objects.filter(pk=year["hck"].pk).update(
        leadership="Ban Thường vụ Huyện ủy tổ chức hội nghị quán triệt cho 100% chi bộ."
    )
    checked = check_upload(SimpleUploadedFile("kh.pdf", PDF), (PDF_TYPE,))
    subplan_register(
        plan=plan, organisation=organisations["TV-HCL"], number="45-KH/HU",
        issued_on=cycle.opens_on, checked=checked, actor=reporter,
    )  # fmt: skip
    part = parts_of(cycle)["leadership"]
    text = lines(part.text)
    assert text[0].startswith("Có 1/")
    assert "đã ban hành kế hoạch thực hiện Kế hoạch số 112-KH/TU" in text[0]
    assert text[1].startswith("Đơn vị chưa đăng ký kế hoạch thực hiện: ")
    assert "Huyện ủy Càng Long" not in text[1]
    assert (
        "- Huyện ủy Cầu Kè: Ban Thường vụ Huyện ủy tổ chức hội nghị quán triệt cho 100% chi bộ."
        in text
    )
    quote = next(q for q in part.quotes if q["unit"] == "Huyện ủy Cầu Kè")
    assert quote["url"] == reverse("reports:report_detail", args=[year["hck"].pk])


def test_ban_to_chucs_own_recommendations_are_left_empty_for_a_person(year):
    parts = compose(year["cycle"])
    assert [part.key for part in parts][-3:] == ["directions", "proposals", "recommendations"]
    assert parts[-1].text == ""
    assert parts[0].key == "situation"


def test_composing_reads_the_same_number_of_queries_for_few_and_many_reports(
    year, plan, organisations, reporter
):
    from tests.reports.test_summary import add_organisations_with_reports

    cycle = year["cycle"]
    compose(cycle)  # what the plan caches on itself (its lines, its top) is read once
    with CaptureQueriesContext(connection) as few:
        compose(cycle)
    add_organisations_with_reports(cycle, 60)
    with CaptureQueriesContext(connection) as many:
        parts = compose(cycle)
    assert [q["sql"][:60] for q in few.captured_queries] == [
        q["sql"][:60] for q in many.captured_queries
    ]
    # 62 units made proposals: three are quoted, eight offered, all counted.
    proposals = next(part for part in parts if part.key == "proposals")
    assert proposals.text.splitlines()[0] == "62 đơn vị có kiến nghị, đề xuất:"
    assert sum(line.startswith("- ") for line in proposals.text.splitlines()) == 3
    assert len(proposals.quotes) == 8


def test_contributions_for_summary_groups_sent_texts_by_task(year, organisations):
    cycle = year["cycle"]
    task_two = Task.objects.get(plan=cycle.plan, number=2)
    sent = Contribution.objects.create(
        cycle=cycle, organisation=organisations["TV-BTG"], status=ContributionStatus.SENT,
        sent_at=timezone.now(),
    )  # fmt: skip
    ContributionPart.objects.create(contribution=sent, task=task_two, text="Tuyên giáo: nhiệm vụ 2")
    ContributionPart.objects.create(contribution=sent, task=None, text="Tuyên giáo: chung")
    draft = Contribution.objects.create(cycle=cycle, organisation=organisations["TV-BDV"])
    ContributionPart.objects.create(contribution=draft, task=task_two, text="Chưa gửi")

    with CaptureQueriesContext(connection) as captured:
        result = contributions_for_summary(cycle)
    assert len(captured) == 1
    assert set(result) == {2, None}
    assert [item.text for item in result[2]] == ["Tuyên giáo: nhiệm vụ 2"]
    assert [item.text for item in result[None]] == ["Tuyên giáo: chung"]


# Services -------------------------------------------------------------------------------


def test_opening_composes_once_with_a_first_version_per_part(year, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    again = draft_open(cycle=year["cycle"], actor=reviewer)
    assert again.pk == draft.pk
    parts = list(draft.parts.order_by("position"))
    assert [p.key for p in parts] == [p.key for p in compose(year["cycle"])]
    for part in parts:
        assert part.text == part.generated
        assert (part.version, part.edited_by, part.pending) == (1, None, None)
        assert list(part.versions.values_list("number", "source")) == [(1, "generated")]


def part(draft, key) -> DraftPart:
    return draft.parts.get(key=key)


def test_saving_an_edit_records_a_version_with_who_and_when(year, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    saved = draft_part_save(
        part=part(draft, "task-2"), text="Đoạn đã sửa\x07\r\ndòng hai  ", base_version=1,
        actor=reviewer,
    )  # fmt: skip
    assert saved.text == "Đoạn đã sửa\ndòng hai"  # control characters out, LF line breaks
    assert (saved.version, saved.edited_by) == (2, reviewer)
    latest = saved.versions.get(number=2)
    assert (latest.source, latest.author, latest.text) == ("edited", reviewer, saved.text)


def test_a_save_from_a_stale_version_is_refused_and_changes_nothing(year, reviewer, leader):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    first = part(draft, "task-2")
    draft_part_save(part=first, text="Người thứ nhất", base_version=1, actor=reviewer)
    with pytest.raises(DraftConflict, match="CHƯA được lưu"):
        draft_part_save(part=first, text="Người thứ hai", base_version=1, actor=reviewer)
    first.refresh_from_db()
    assert (first.text, first.version) == ("Người thứ nhất", 2)


def test_a_part_longer_than_the_limit_is_refused(year, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    with pytest.raises(ServiceError, match="quá dài"):
        draft_part_save(
            part=part(draft, "task-2"), text="a" * (MAX_PART_LENGTH + 1), base_version=1,
            actor=reviewer,
        )  # fmt: skip


def test_regenerating_updates_untouched_parts_and_keeps_edits_with_the_new_text_pending(
    year, reviewer
):
    cycle = year["cycle"]
    draft = draft_open(cycle=cycle, actor=reviewer)
    draft_part_save(part=part(draft, "task-1"), text="Ban Tổ chức viết", base_version=1,
                    actor=reviewer)  # fmt: skip
    # Đảng ủy Khối Cơ quan's report is accepted meanwhile: task 1's figures and quotes change.
    AnnualReport.objects.filter(pk=year["btg"].pk).update(status=ReportStatus.ACCEPTED)
    from reports.figures import tallies

    tallies.move(year["btg"], ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    draft_regenerate(draft=draft, actor=reviewer)

    edited, untouched = part(draft, "task-1"), part(draft, "task-2")
    new_one = parts_of(cycle)["task-1"].text
    assert "Khối Cơ quan biên soạn tài liệu nhiệm vụ 1" in new_one
    assert (edited.text, edited.pending, edited.generated) == ("Ban Tổ chức viết", new_one, new_one)
    assert untouched.text == parts_of(cycle)["task-2"].text
    assert untouched.pending is None
    assert untouched.versions.first().source == VersionSource.GENERATED
    assert untouched.version == 2

    kept = draft_part_resolve(part=edited, take_new=False, base_version=2, actor=reviewer)
    assert (kept.text, kept.pending) == ("Ban Tổ chức viết", None)
    # Nothing new since: a second recomposition asks nothing again.
    draft_regenerate(draft=draft, actor=reviewer)
    assert part(draft, "task-1").pending is None


def test_taking_the_new_text_makes_the_part_follow_the_figures_again(year, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    draft_part_save(part=part(draft, "proposals"), text="Của tôi", base_version=1, actor=reviewer)
    AnnualReport.objects.filter(pk=year["hcl"].pk).update(proposals="Đề nghị mới.")
    draft_regenerate(draft=draft, actor=reviewer)
    pending = part(draft, "proposals")
    assert "- Huyện ủy Càng Long: Đề nghị mới." in pending.pending.splitlines()

    taken = draft_part_resolve(part=pending, take_new=True, base_version=2, actor=reviewer)
    assert (taken.text, taken.pending, taken.edited_by, taken.version) == (
        pending.pending, None, None, 3,
    )  # fmt: skip
    with pytest.raises(ServiceError):
        draft_part_resolve(part=taken, take_new=True, base_version=3, actor=reviewer)


def test_restoring_an_earlier_version_adds_a_version_with_its_text(year, reviewer):
    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    target = part(draft, "task-2")
    original = target.text
    draft_part_save(part=target, text="Sửa lần một", base_version=1, actor=reviewer)
    restored = draft_part_restore(part=target, number=1, base_version=2, actor=reviewer)
    assert (restored.text, restored.version) == (original, 3)
    assert restored.versions.first().source == VersionSource.RESTORED
    with pytest.raises(DraftConflict):
        draft_part_restore(part=target, number=2, base_version=2, actor=reviewer)


def test_a_unit_renamed_since_is_quoted_under_the_name_it_reported_under(year):
    """Reports stay with the name they were written under (DESIGN §8)."""
    from organisations.models import Organisation, OrganisationName

    cycle = year["cycle"]
    organisation = Organisation.objects.get(pk=year["hcl"].organisation_id)
    OrganisationName.objects.create(
        organisation=organisation, name=organisation.name, short_name=organisation.short_name,
        valid_to=cycle.period_end + dt.timedelta(days=30),
    )  # fmt: skip
    Organisation.objects.filter(pk=organisation.pk).update(
        name="Đảng ủy xã Mới", short_name="", name_since=cycle.period_end + dt.timedelta(days=31)
    )
    task = parts_of(cycle)["task-1"]
    assert "- Huyện ủy Càng Long: Càng Long mở 12 lớp bồi dưỡng nhiệm vụ 1" in lines(task.text)
    assert "Đảng ủy xã Mới" not in task.text


def test_the_database_refuses_a_pending_text_on_a_part_nobody_edited(year, reviewer):
    from django.db import IntegrityError, transaction

    draft = draft_open(cycle=year["cycle"], actor=reviewer)
    untouched = part(draft, "task-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        DraftPart.objects.filter(pk=untouched.pk).update(pending="Bản mới")
    with pytest.raises(IntegrityError), transaction.atomic():
        untouched.versions.update(source="invented")
