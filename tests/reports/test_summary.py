"""The yearly summary: the service that queues it, the job that builds it, its Word and
Excel files, and its pages."""

import datetime as dt
import io
import shutil
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from organisations.models import Organisation, OrganisationKind, Role
from plan112.celery import app as celery_app
from reports.figures import tallies
from reports.figures.definitions import cycle_figures, previous_cycle
from reports.figures.totals import indicator_totals
from reports.jobs.summaries import build_yearly_summary, start_due_summaries
from reports.models import (
    AnnualReport,
    IndicatorValue,
    Notification,
    ReportStatus,
    SummaryDraft,
    SummaryStatus,
    TaskSection,
    YearlySummary,
)
from reports.services.reports import report_save
from reports.summary.build import (
    STALE_AFTER,
    office_command,
    scratch_folder,
    summary_build,
    summary_request,
)
from tasks.models import Indicator, Task
from tasks.selectors import reporting_organisations
from tests.conftest import make_user
from tests.reports.factories import full_content, make_cycle, make_report, province_pk
from tests.reports.printing import assert_prints

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON_TIME = dt.datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
LATE = dt.datetime(2026, 12, 20, 9, 0, tzinfo=TZ)
BUILT = dt.datetime(2027, 1, 5, 8, 30, tzinfo=TZ)
BROKER_DOWN = "Không gửi được yêu cầu tới hàng đợi công việc; vui lòng thử lại sau."
NO_OFFICE = "Máy chủ chưa cài LibreOffice nên chưa tạo được bản PDF."


# Building the world ---------------------------------------------------------------------


def put_report(cycle, organisation, reporter, *, status, submitted_at, text, figures=None):
    """A report with its content saved through the service, then put straight into the
    given state (the review steps are tested elsewhere)."""
    report = make_report(cycle, organisation, reporter)
    report_save(
        report=report,
        content=full_content(report, text=text),
        version=report.version,
        actor=reporter,
    )
    AnnualReport.objects.filter(pk=report.pk).update(
        status=status,
        first_submitted_at=submitted_at,
        last_submitted_at=submitted_at,
        submission_count=1,
        accepted_at=submitted_at if status == ReportStatus.ACCEPTED else None,
    )
    for code, value in (figures or {}).items():
        IndicatorValue.objects.filter(report=report, indicator__code=code).update(value=value)
    tallies.move(report, ReportStatus.DRAFT, status)  # as the services do on each step
    report.refresh_from_db()
    return report


@pytest.fixture(autouse=True)
def office(request, monkeypatch):
    """No LibreOffice unless a test asks for the real one, whatever the machine has."""
    if "real_office" not in request.fixturenames:
        real = shutil.which
        monkeypatch.setattr(
            shutil,
            "which",
            lambda name, *a, **k: None if name in ("soffice", "libreoffice") else real(name),
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def queue(monkeypatch):
    """The jobs sent to the broker, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def year(plan, organisations, reviewer, reporter, other_reporter, media):
    """2025: Càng Long accepted. 2026: Càng Long accepted on time, Cầu Kè accepted late,
    Đảng ủy Khối Cơ quan submitted on time and not yet accepted; everybody else missing."""
    kcq_reporter = make_user(
        "kcq-reporter", organisation=organisations["TV-DUKCQ"], role=Role.REPORTER
    )
    with time_machine.travel(dt.datetime(2025, 12, 1, 9, tzinfo=TZ), tick=False):
        before = make_cycle(plan, reviewer, year=2025)
        put_report(
            before, organisations["TV-HCL"], reporter, status=ReportStatus.ACCEPTED,
            submitted_at=dt.datetime(2025, 12, 1, 9, tzinfo=TZ), text="Năm trước",
            figures={"T3_ADMITTED": 10, "T1_POLITICAL_THEORY_TRAINED": 8},
        )  # fmt: skip
    with time_machine.travel(ON_TIME, tick=False):
        cycle = make_cycle(plan, reviewer, year=2026)
        hcl = put_report(
            cycle, organisations["TV-HCL"], reporter, status=ReportStatus.ACCEPTED,
            submitted_at=ON_TIME, text="Càng Long mở 12 lớp bồi dưỡng",
            figures={"T3_ADMITTED": 7, "T1_POLITICAL_THEORY_TRAINED": 4},
        )  # fmt: skip
        btg = put_report(
            cycle, organisations["TV-DUKCQ"], kcq_reporter, status=ReportStatus.SUBMITTED,
            submitted_at=ON_TIME, text="Khối Cơ quan biên soạn tài liệu",
            figures={"T1_POLITICAL_THEORY_TRAINED": 100},
        )  # fmt: skip
    with time_machine.travel(LATE, tick=False):
        hck = put_report(
            cycle, organisations["TV-HCK"], other_reporter, status=ReportStatus.ACCEPTED,
            submitted_at=LATE, text="Cầu Kè kết nạp đảng viên",
            figures={"T3_ADMITTED": 5, "T1_POLITICAL_THEORY_TRAINED": 6},
        )  # fmt: skip
    AnnualReport.objects.filter(pk=hck.pk).update(proposals="Đề nghị bổ sung biên chế.")
    TaskSection.objects.filter(report=hck, task__number=2).update(
        limitations="Cầu Kè còn chậm sinh hoạt chuyên đề"
    )
    return {"cycle": cycle, "before": before, "hcl": hcl, "hck": hck, "btg": btg}


def build(cycle, actor, **options):
    """Request a build and run the job right here, at BUILT."""
    with time_machine.travel(BUILT, tick=False):
        summary = summary_request(cycle=cycle, actor=actor, **options)
        build_yearly_summary(summary_id=summary.pk)
    summary.refresh_from_db()
    return summary


def paragraphs(summary) -> list[str]:
    return [p.text for p in Document(summary.docx.path).paragraphs]


def vn_percent(part: int, whole: int) -> str:
    """The percentage written the Vietnamese way, computed here independently."""
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    text = f"{value:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


def expected_count(cycle) -> int:
    """The province's own level: organisations in scope whose parent is the Tỉnh ủy."""
    return (
        reporting_organisations(cycle.plan, cycle.period_end).filter(parent__code="TV-TU").count()
    )


# The Word file --------------------------------------------------------------------------


def test_docx_header_names_the_committee_party_number_and_dated_place(year, reviewer):
    summary = build(year["cycle"], reviewer, number="125")
    header = Document(summary.docx.path).tables[0]
    left, right = (list(cell.paragraphs) for cell in header.rows[0].cells)

    # Issued by Ban Tổ chức of the committee (plan III.3), under the committee's name.
    assert [p.text for p in left] == ["TỈNH ỦY TRÀ VINH", "BAN TỔ CHỨC", "*", "Số 125-BC/BTCTU"]
    assert not left[0].runs[0].bold  # the superior body: upright (36-HD, Phụ lục 3)
    assert left[1].runs[0].bold
    assert right[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert right[0].runs[0].bold
    assert right[0].runs[0].underline
    assert right[1].text == "Trà Vinh, ngày 05 tháng 01 năm 2027"
    assert right[1].runs[0].italic


def test_docx_header_follows_the_plans_issuer_not_a_fixed_province(year, reviewer, plan):
    Organisation.objects.filter(code="TV-TU").update(name="Tỉnh ủy Vĩnh Long")
    summary = build(year["cycle"], reviewer)
    header = Document(summary.docx.path).tables[0]
    left, right = header.rows[0].cells
    assert left.paragraphs[0].text == "TỈNH ỦY VĨNH LONG"
    assert left.paragraphs[3].text == "Số …-BC/BTCTU"  # no number given yet
    assert right.paragraphs[1].text.startswith("Vĩnh Long, ngày 05 tháng 01 năm 2027")


def test_docx_title_and_subject_name_the_plan_and_year(year, reviewer, plan):
    texts = paragraphs(build(year["cycle"], reviewer))
    title = texts.index("BÁO CÁO")
    # The plan named as its own title names itself, 38-KL/TW included, from its data.
    assert texts[title + 1] == (
        f"kết quả thực hiện Kế hoạch số 112-KH/TU của Ban Thường vụ Tỉnh ủy Trà Vinh"
        f" {plan.title} năm 2026"
    )
    assert "Kết luận số 38-KL/TW" in texts[title + 1]
    assert texts[title + 2] == "-----"


def test_docx_reporting_situation_equals_the_cycle_figures(year, reviewer):
    cycle = year["cycle"]
    texts = paragraphs(build(cycle, reviewer))
    expected = expected_count(cycle)
    figures = cycle_figures(cycle)
    assert (figures.expected, figures.actual, figures.on_time, figures.accepted) == (
        expected, 3, 2, 2,
    )  # fmt: skip

    assert (
        f"Tình hình báo cáo: hạn nộp ngày 15/12/2026; 3/{expected} đơn vị phải báo cáo đã gửi"
        f" báo cáo (đạt {vn_percent(3, expected)}), trong đó 2 đơn vị gửi đúng hạn, 1 đơn vị"
        f" gửi chậm; {expected - 3} đơn vị chưa gửi báo cáo." in texts
    )
    assert "Số liệu và nội dung dưới đây tính từ 2 báo cáo đã được tiếp nhận." in texts


def figure_rows(summary) -> dict[str, list[str]]:
    rows = {}
    for table in Document(summary.docx.path).tables[1:-1]:
        for row in table.rows[1:]:
            cells = [cell.text for cell in row.cells]
            rows[cells[0]] = cells
    return rows


def test_docx_indicator_totals_and_change_equal_indicator_totals(year, reviewer, plan):
    cycle = year["cycle"]
    summary = build(cycle, reviewer)
    admitted = Indicator.objects.get(plan=plan, code="T3_ADMITTED")
    totals = indicator_totals(cycle, previous=previous_cycle(cycle)).by_code()

    row = figure_rows(summary)[admitted.name]
    # Accepted reports only: Càng Long 7 + Cầu Kè 5; last year Càng Long 10.
    assert totals["T3_ADMITTED"].value == 12
    assert row == [admitted.name, admitted.unit, "12", "10", "+2 (+20%)"]
    header = Document(summary.docx.path).tables[1].rows[0].cells
    assert [c.text for c in header] == [
        "Chỉ tiêu", "Đơn vị tính", "Năm 2026", "Năm 2025", "Tăng/giảm",
    ]  # fmt: skip


def test_docx_counts_submitted_reports_only_when_asked(year, reviewer, plan):
    trained = Indicator.objects.get(plan=plan, code="T1_POLITICAL_THEORY_TRAINED")
    accepted_only = build(year["cycle"], reviewer)
    assert figure_rows(accepted_only)[trained.name][2] == "10"

    with_submitted = build(year["cycle"], reviewer, include_submitted=True)
    assert figure_rows(with_submitted)[trained.name][2] == "110"
    assert "Khối Cơ quan biên soạn tài liệu nhiệm vụ 1" in " ".join(paragraphs(with_submitted))
    assert "hoặc đã gửi và đang chờ xem xét" in " ".join(paragraphs(with_submitted))


def test_docx_quotes_results_and_limitations_with_the_organisation_named(year, reviewer):
    texts = paragraphs(build(year["cycle"], reviewer))
    task_one = Task.objects.get(plan=year["cycle"].plan, number=1)

    start = texts.index(f"1. {task_one.title}")
    assert "- Huyện ủy Càng Long: Càng Long mở 12 lớp bồi dưỡng nhiệm vụ 1" in texts[start:]
    assert "- Huyện ủy Cầu Kè: Cầu Kè kết nạp đảng viên nhiệm vụ 1" in texts[start:]
    limitations = texts[texts.index("III. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN") :]
    assert "- Huyện ủy Cầu Kè (nhiệm vụ 2): Cầu Kè còn chậm sinh hoạt chuyên đề" in limitations
    # Submitted but not accepted: left out by default.
    assert not any("Khối Cơ quan biên soạn" in text for text in texts)


def test_docx_names_missing_organisations_and_leaves_the_full_list_to_excel(
    year, reviewer, organisations
):
    cycle = year["cycle"]
    texts = paragraphs(build(cycle, reviewer))
    line = next(text for text in texts if text.startswith("Đơn vị chưa gửi báo cáo: "))
    missing = expected_count(cycle) - 3
    assert line.endswith(f"và {missing - 10} đơn vị khác (danh sách đầy đủ trong tệp Excel).")
    assert "Huyện ủy Càng Long" not in line
    assert "Huyện ủy Cầu Kè" not in line
    assert line.count(", ") == 9  # ten named


def test_docx_gathers_proposals_with_their_organisation(year, reviewer):
    texts = paragraphs(build(year["cycle"], reviewer))
    section = texts[texts.index("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ KIẾN NGHỊ, ĐỀ XUẤT") :]
    assert "2. Kiến nghị, đề xuất của các đơn vị" in section
    assert "- Huyện ủy Cầu Kè: Đề nghị bổ sung biên chế." in section
    assert "- Huyện ủy Càng Long: Đề nghị Tỉnh ủy tăng cường tập huấn." in section
    # Ban Tổ chức's own part is empty until someone writes it: no heading left behind.
    assert "3. Kiến nghị, đề xuất của Ban Tổ chức" not in section


def test_docx_is_a4_with_party_margins_in_times_new_roman_14(year, reviewer):
    document = Document(build(year["cycle"], reviewer).docx.path)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(margin.cm, 2) for margin in margins] == [2, 2, 3, 1.5]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == (
        "Times New Roman"
    )
    assert round(normal.paragraph_format.first_line_indent.cm, 2) == 1
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_docx_ends_with_recipients_and_the_signature_block(year, reviewer):
    closing = Document(build(year["cycle"], reviewer).docx.path).tables[-1]
    left, right = closing.rows[0].cells
    # Ban Tổ chức reports to Ban Thường vụ Tỉnh ủy (plan III.3), not to Thường trực.
    assert [p.text for p in left.paragraphs] == [
        "Nơi nhận:",
        "- Ban Thường vụ Tỉnh ủy (b/c),",
        "- Lưu BTCTU.",
    ]
    recipients = left.paragraphs[0].runs[0]
    assert recipients.italic
    assert recipients.underline
    # Signed by the head of Ban Tổ chức (its data), with room to sign below the title.
    assert [p.text for p in right.paragraphs] == ["TRƯỞNG BAN", ""]
    assert right.paragraphs[0].runs[0].bold
    assert right.paragraphs[1].paragraph_format.space_after.pt >= 72


# The Excel file -------------------------------------------------------------------------


def test_xlsx_has_one_row_per_counted_report_and_totals_equal_indicator_totals(year, reviewer):
    cycle = year["cycle"]
    summary = build(cycle, reviewer)
    sheet = load_workbook(summary.xlsx.path)["Số liệu"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    totals_row = next(row for row in body if row[1] == "Tổng hợp")
    reports = body[: body.index(totals_row)]

    assert header[:3] == ("STT", "Đơn vị", "Trạng thái")
    assert header[-1] == "Mã đơn vị"
    # The two accepted ones, in the usual order (Càng Long before Cầu Kè), not by code.
    assert [row[-1] for row in reports] == ["TV-HCL", "TV-HCK"]
    totals = indicator_totals(cycle)
    for column, total in enumerate(totals.rows, start=3):
        assert header[column].startswith(total.indicator.name)
        expected = None if total.value is None else float(total.value)
        assert totals_row[column] == expected, total.indicator.code
    admitted = 3 + [t.indicator.code for t in totals.rows].index("T3_ADMITTED")
    assert totals_row[admitted] == 12
    assert isinstance(reports[0][admitted], int)
    assert sheet.freeze_panes == "D2"
    assert sheet["A1"].font.name == "Times New Roman"
    assert sheet["A1"].font.bold


def test_xlsx_reporting_sheet_lists_every_expected_organisation(year, reviewer):
    cycle = year["cycle"]
    sheet = load_workbook(build(cycle, reviewer).xlsx.path)["Tình hình báo cáo"]
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(rows) == expected_count(cycle)
    by_code = {row[-1]: row for row in rows}
    assert by_code["TV-HCK"][2:6] == ("Đã tiếp nhận", dt.datetime(2026, 12, 20, 9, 0), "Chậm", 5)
    assert by_code["TV-HCL"][4] == "Đúng hạn"
    assert by_code["TV-DUKCQ"][2] == "Đã gửi"
    assert by_code["TV-HCT"][2:5] == ("Chưa bắt đầu", None, "Chưa gửi")
    # In the usual order: district-level committees by name, then đảng ủy trực thuộc.
    codes = [row[-1] for row in rows]
    assert codes.index("TV-HCL") < codes.index("TV-HCK") < codes.index("TV-DUKCQ")


def test_xlsx_writes_names_as_inert_text_without_control_characters(year, reviewer, plan):
    cycle = year["cycle"]
    Organisation.objects.filter(code="TV-HCK").update(name='=HYPERLINK("http://evil.example")')
    Organisation.objects.filter(code="TV-HCT").update(name="-2+3\x01+cmd|' /C calc'!A0")
    Organisation.objects.filter(parent__isnull=True).update(name=Concat("name", Value("\x02")))
    Indicator.objects.filter(plan=plan, code="T3_ADMITTED").update(name="@SUM(A1:A9)")
    summary = build(cycle, reviewer)
    assert summary.status == "done", summary.error
    workbook = load_workbook(summary.xlsx.path)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = {cell.value for cell in cells}
    assert '\'=HYPERLINK("http://evil.example")' in values
    assert "'-2+3+cmd|' /C calc'!A0" in values
    assert any(str(value).startswith("'@SUM(A1:A9)") for value in values)
    assert workbook.properties.creator
    assert "\x02" not in workbook.properties.creator
    rows = list(workbook["Số liệu"].iter_rows())
    totals = next(row for row in rows if row[1].value == "Tổng hợp")
    assert all(cell.data_type == "n" for cell in totals[3:] if cell.value is not None)
    assert Document(summary.docx.path)  # Word takes the names too


# The job --------------------------------------------------------------------------------


def test_build_reaches_100_percent_and_stores_files_and_figures(year, reviewer):
    cycle = year["cycle"]
    summary = build(cycle, reviewer)

    assert summary.status == SummaryStatus.DONE
    assert summary.progress == 100
    assert summary.error == ""
    assert summary.started_at == summary.finished_at == BUILT
    assert summary.docx_built_at == summary.xlsx_built_at == BUILT
    assert Path(summary.docx.path).exists()
    assert Path(summary.xlsx.path).exists()
    assert not summary.pdf
    assert summary.pdf_built_at is None
    figures = cycle_figures(cycle)
    assert summary.figures["cycle"]["expected"] == figures.expected
    assert summary.figures["cycle"]["completeness"] == str(figures.completeness)
    stored = {row["code"]: row for row in summary.figures["indicators"]}
    assert Decimal(stored["T3_ADMITTED"]["value"]) == 12
    assert Decimal(stored["T3_ADMITTED"]["previous"]) == 10
    assert summary.figures["include_submitted"] is False


def test_build_writes_its_progress_step_by_step(year, reviewer, monkeypatch):
    import reports.summary.build as module

    seen = []
    original = module._progress

    def record(summary_id, progress, step=None):
        original(summary_id, progress, step)
        row = YearlySummary.objects.values("progress", "step", "status").get(pk=summary_id)
        seen.append(row)

    monkeypatch.setattr(module, "_progress", record)
    summary = build(year["cycle"], reviewer)

    assert summary.status == SummaryStatus.DONE
    steps = [row["step"] for row in seen]
    for step in (
        "Đang tổng hợp kết quả theo nhiệm vụ…",
        "Đang tạo tệp Word…",
        "Đang tạo tệp Excel…",
    ):
        assert step in steps
    assert all(row["status"] == SummaryStatus.RUNNING for row in seen)
    progress = [row["progress"] for row in seen]
    assert progress == sorted(progress)
    assert progress[0] > 0
    assert progress[-1] < 100


def test_the_build_starts_on_the_figures_step(year, reviewer, monkeypatch):
    import reports.summary.build as module

    seen = []

    def spy(summary):
        seen.append(YearlySummary.objects.values("status", "step").get(pk=summary.pk))
        raise RuntimeError("dừng ở đây")

    monkeypatch.setattr(module, "summary_data", spy)
    summary = build(year["cycle"], reviewer)
    assert seen == [{"status": "running", "step": "Đang tính số liệu tổng hợp…"}]
    assert summary.status == SummaryStatus.FAILED
    assert "Đang tính số liệu tổng hợp" in summary.error


def test_rebuilding_replaces_the_files_and_deletes_the_old_ones(year, reviewer, media):
    cycle = year["cycle"]
    first = build(cycle, reviewer)
    old = [Path(first.docx.path), Path(first.xlsx.path)]

    with time_machine.travel(BUILT + dt.timedelta(hours=2), tick=False):
        summary = summary_request(cycle=cycle, actor=reviewer, number="7")
        build_yearly_summary(summary_id=summary.pk)
    summary.refresh_from_db()

    assert summary.status == SummaryStatus.DONE
    assert not any(path.exists() for path in old)
    assert Path(summary.docx.path).exists()
    assert Path(summary.xlsx.path).exists()
    assert summary.docx.name != first.docx.name
    assert summary.docx_built_at == summary.xlsx_built_at == BUILT + dt.timedelta(hours=2)
    assert len(list((media / "summaries").rglob("*.*"))) == 2


def test_a_second_request_while_queued_or_running_starts_no_second_build(
    year, reviewer, queue, django_capture_on_commit_callbacks
):
    cycle = year["cycle"]
    with django_capture_on_commit_callbacks(execute=True):
        first = summary_request(cycle=cycle, actor=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        again = summary_request(cycle=cycle, actor=reviewer, include_submitted=True)
    assert queue == [{"summary_id": first.pk}]
    assert again.pk == first.pk
    assert again.status == SummaryStatus.QUEUED
    assert again.include_submitted is False  # the build under way is left as it was

    YearlySummary.objects.filter(pk=first.pk).update(
        status=SummaryStatus.RUNNING, started_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        running = summary_request(cycle=cycle, actor=reviewer)
    assert running.status == SummaryStatus.RUNNING
    assert len(queue) == 1
    assert YearlySummary.objects.count() == 1


def test_a_build_stuck_longer_than_any_build_can_take_may_be_requested_again(
    year, reviewer, queue, django_capture_on_commit_callbacks
):
    cycle = year["cycle"]
    summary = YearlySummary.objects.create(
        cycle=cycle,
        status=SummaryStatus.RUNNING,
        started_at=timezone.now() - STALE_AFTER - dt.timedelta(minutes=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = summary_request(cycle=cycle, actor=reviewer)
    assert again.status == SummaryStatus.QUEUED
    assert again.pk == summary.pk
    assert queue == [{"summary_id": summary.pk}]


def test_the_queued_job_goes_through_celery_and_builds_the_summary(
    year, reviewer, django_capture_on_commit_callbacks, settings
):
    # Eager mode: .delay runs the job in-process, through Celery's own call path. Set
    # through Django's settings (which Celery reads live), never on app.conf: a value
    # written there would outlive this test and change every later one.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        summary = summary_request(cycle=year["cycle"], actor=reviewer)
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.DONE
    assert summary.progress == 100


def test_a_finished_summary_is_reset_to_queued_by_a_new_request(
    year, reviewer, queue, django_capture_on_commit_callbacks
):
    cycle = year["cycle"]
    YearlySummary.objects.create(
        cycle=cycle, status=SummaryStatus.FAILED, progress=40, error="hỏng", number="3"
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = summary_request(
            cycle=cycle, actor=reviewer, include_submitted=True, number="125-BC/BTCTU"
        )
    assert (summary.status, summary.progress, summary.error) == (SummaryStatus.QUEUED, 0, "")
    assert summary.include_submitted is True
    assert summary.number == "125"
    assert summary.requested_by == reviewer
    assert len(queue) == 1


@pytest.mark.parametrize(
    "error", [OperationalError("broker down"), ConnectionRefusedError(111, "refused")]
)
def test_a_broker_that_is_down_marks_the_summary_failed_with_a_message(
    year, reviewer, monkeypatch, django_capture_on_commit_callbacks, error
):
    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(celery_app, "send_task", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        summary = summary_request(cycle=year["cycle"], actor=reviewer)
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.FAILED
    assert summary.error == BROKER_DOWN


def test_a_failure_during_the_build_is_recorded_and_leaves_no_files(
    year, reviewer, media, monkeypatch
):
    import reports.summary.build

    def broken(data, out, **options):
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr(reports.summary.build, "write_summary_xlsx", broken)
    summary = build(year["cycle"], reviewer)

    assert summary.status == SummaryStatus.FAILED
    assert "Đang tạo tệp Excel" in summary.error
    assert "ổ đĩa đầy" in summary.error
    assert summary.finished_at == BUILT
    assert not summary.docx
    assert not summary.xlsx
    assert not summary.pdf
    assert not list(media.rglob("*.docx"))
    assert not list(media.rglob("*.xlsx"))


def test_a_storage_failure_midway_removes_the_new_files_and_keeps_the_last_good_ones(
    year, reviewer, media, monkeypatch
):
    cycle = year["cycle"]
    first = build(cycle, reviewer)
    good = {first.docx.name, first.xlsx.name}
    original = FileSystemStorage.save
    calls = []

    def flaky(self, name, content, max_length=None):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("Không ghi được tệp")
        return original(self, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", flaky)
    summary = build(cycle, reviewer)

    assert summary.status == SummaryStatus.FAILED
    assert "Không ghi được tệp" in summary.error
    assert {summary.docx.name, summary.xlsx.name} == good
    stored = {str(p.relative_to(media)) for p in (media / "summaries").rglob("*.*")}
    assert stored == good


def test_a_summary_that_is_not_queued_is_not_built_twice(year, reviewer):
    summary = build(year["cycle"], reviewer)
    built_at = summary.docx_built_at
    assert summary_build(summary_id=summary.pk) is False
    summary.refresh_from_db()
    assert summary.docx_built_at == built_at


def test_leaders_of_the_plan_and_the_requester_are_told_when_it_is_ready(
    year, reviewer, leader, reporter
):
    other_top = Organisation.objects.create(
        code="VL-TU", name="Tỉnh ủy Vĩnh Long", kind=OrganisationKind.PROVINCIAL_COMMITTEE
    )
    office = Organisation.objects.create(
        code="VL-TT", name="Thường trực Tỉnh ủy Vĩnh Long",
        kind=OrganisationKind.STANDING_OFFICE, parent=other_top,
    )  # fmt: skip
    elsewhere = make_user("leader-vinh-long", organisation=office, role=Role.LEADER)

    summary = build(year["cycle"], reviewer)

    told = Notification.objects.filter(title="Báo cáo tổng hợp năm 2026 đã sẵn sàng")
    assert set(told.values_list("user__username", flat=True)) == {"leader", "reviewer"}
    assert told.first().url == reverse("reports:summary_detail", args=[summary.cycle_id])
    assert not Notification.objects.filter(user__in=[elsewhere, reporter]).exists()


def test_start_due_summaries_starts_only_on_the_right_day(year, queue, settings):
    settings.SUMMARY_AFTER_DUE_DAYS = 10
    cycle = year["cycle"]  # due 15/12/2026

    assert start_due_summaries(today="2026-12-24") == 0
    assert not YearlySummary.objects.exists()
    assert start_due_summaries(today=dt.date(2026, 12, 25)) == 1
    summary = YearlySummary.objects.get()
    assert summary.cycle == cycle
    assert summary.requested_by is None
    assert summary.status == SummaryStatus.QUEUED
    # The next run, or the same day again, leaves a cycle with a summary alone.
    assert start_due_summaries(today="2026-12-25") == 0
    assert start_due_summaries(today="2026-12-26") == 0
    assert YearlySummary.objects.count() == 1


def test_the_beat_job_runs_with_no_arguments(year, queue, settings):
    settings.SUMMARY_AFTER_DUE_DAYS = 10
    with time_machine.travel(dt.datetime(2026, 12, 25, 6, 30, tzinfo=TZ), tick=False):
        assert start_due_summaries.apply().get() == 1


# The PDF --------------------------------------------------------------------------------


def test_without_libreoffice_there_is_no_pdf_and_the_page_says_why(
    year, reviewer, client_for, monkeypatch
):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    summary = build(year["cycle"], reviewer)
    assert summary.status == SummaryStatus.DONE
    assert not summary.pdf
    page = client_for(reviewer).get(reverse("reports:summary_detail", args=[summary.cycle_id]))
    assert NO_OFFICE in page.content.decode()


def fake_office(folder: Path, *, works: bool) -> str:
    """A stand-in for soffice that takes the same arguments and writes a PDF (or fails)."""
    script = folder / "soffice"
    body = (
        "import sys, pathlib\n"
        "args = sys.argv[1:]\n"
        "out = pathlib.Path(args[args.index('--outdir') + 1])\n"
        "source = pathlib.Path(args[-1])\n"
        "assert '--headless' in args and args[args.index('--convert-to') + 1] == 'pdf'\n"
        + (
            "(out / (source.stem + '.pdf')).write_bytes(b'%PDF-1.4 gia lap')\n"
            if works
            else "sys.exit('hỏng')\n"
        )
    )
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(0o755)
    return str(script)


def test_with_a_converter_the_pdf_is_built_and_downloadable(
    year, reviewer, client_for, monkeypatch, tmp_path_factory
):
    office = fake_office(tmp_path_factory.mktemp("office"), works=True)
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: office if name == "soffice" else None
    )
    summary = build(year["cycle"], reviewer)

    assert summary.status == SummaryStatus.DONE
    assert summary.pdf_built_at == BUILT
    assert Path(summary.pdf.path).read_bytes() == b"%PDF-1.4 gia lap"
    client = client_for(reviewer)
    response = client.get(reverse("reports:summary_download", args=[summary.cycle_id, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="bao-cao-tong-hop-2026.pdf"' in response["Content-Disposition"]


def test_a_failing_converter_keeps_the_word_and_excel_files(
    year, reviewer, monkeypatch, tmp_path_factory
):
    office = fake_office(tmp_path_factory.mktemp("office"), works=False)
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: office if name == "soffice" else None
    )
    summary = build(year["cycle"], reviewer)

    assert summary.status == SummaryStatus.DONE
    assert summary.docx
    assert summary.xlsx
    assert not summary.pdf
    assert "Không tạo được bản PDF" in summary.error


@pytest.fixture
def real_office():
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed on this machine")
    return office


def test_libreoffice_runs_with_a_profile_of_its_own_that_skips_first_start_work(tmp_path):
    source = tmp_path / "bao-cao.docx"
    command = office_command("soffice", source)
    assert command[-1] == str(source)
    assert command[command.index("--outdir") + 1] == str(tmp_path)
    assert {"--headless", "--norestore", "--nolockcheck", "--nodefault"} <= set(command)
    profile = tmp_path / "profile"
    assert f"-env:UserInstallation={profile.as_uri()}" in command
    # Its graphics tests (and their 70 MB) run only for a version the profile has not seen.
    settings = (profile / "user" / "registrymodifications.xcu").read_text()
    assert 'oor:name="ooSetupLastVersion"' in settings
    assert "<value>99.9</value>" in settings


def test_with_libreoffice_installed_the_pdf_is_rendered(year, reviewer, real_office):
    summary = build(year["cycle"], reviewer)
    assert summary.status == SummaryStatus.DONE, summary.error
    assert Path(summary.pdf.path).read_bytes().startswith(b"%PDF")


# Queries --------------------------------------------------------------------------------


def add_organisations_with_reports(cycle, count: int) -> None:
    """``count`` more district committees, each with an accepted report, in bulk."""
    province = province_pk()
    Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{i}", name=f"Huyện ủy {i}", kind="district_committee", parent_id=province
        )
        for i in range(count)
    )
    organisations = list(Organisation.objects.filter(code__startswith="X-"))
    AnnualReport.objects.bulk_create(
        AnnualReport(
            cycle=cycle,
            organisation=organisation,
            reports_to_id=province,
            status=ReportStatus.ACCEPTED,
            first_submitted_at=ON_TIME,
            last_submitted_at=ON_TIME,
            submission_count=1,
            proposals=f"Kiến nghị {organisation.code}",
        )
        for organisation in organisations
    )
    reports = list(AnnualReport.objects.filter(cycle=cycle, organisation__code__startswith="X-"))
    tasks = list(Task.objects.filter(plan=cycle.plan))
    indicators = list(Indicator.objects.filter(plan=cycle.plan))
    TaskSection.objects.bulk_create(
        TaskSection(report=r, task=t, results=f"Kết quả {t.number}", limitations="Hạn chế")
        for r in reports
        for t in tasks
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=r, indicator=i, value=Decimal(2)) for r in reports for i in indicators
    )


def test_the_build_runs_the_same_number_of_queries_for_few_and_many_organisations(
    year, reviewer, leader
):
    cycle = year["cycle"]

    def queries() -> int:
        # Each build composes the draft afresh, so the composition is measured too.
        SummaryDraft.objects.filter(cycle=cycle).delete()
        with time_machine.travel(BUILT, tick=False):
            summary = summary_request(cycle=cycle, actor=reviewer)
            with CaptureQueriesContext(connection) as captured:
                assert summary_build(summary_id=summary.pk)
        return len(captured)

    few = queries()
    add_organisations_with_reports(cycle, 200)
    many = queries()
    assert few == many
    summary = YearlySummary.objects.get(cycle=cycle)
    assert summary.figures["counted_reports"] == 202
    rows = list(load_workbook(summary.xlsx.path)["Số liệu"].iter_rows(values_only=True))
    assert sum(1 for row in rows[1:] if isinstance(row[0], int)) == 202


# Pages ----------------------------------------------------------------------------------


def detail_url(cycle) -> str:
    return reverse("reports:summary_detail", args=[cycle.pk])


@pytest.mark.parametrize("persona", ["reviewer", "leader", "admin_user"])
def test_reviewers_leaders_and_administrators_see_the_summary_page(
    request, year, client_for, persona
):
    response = client_for(request.getfixturevalue(persona)).get(detail_url(year["cycle"]))
    assert response.status_code == 200
    assert "Báo cáo tổng hợp năm 2026" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("reporter", 403), ("other_reporter", 403), ("body_reporter", 403), ("outsider", 404)],
)
def test_others_cannot_see_the_summary_page(request, year, client_for, persona, status):
    client = client_for(request.getfixturevalue(persona))
    for name in ("reports:summary_detail", "reports:summary_status"):
        assert client.get(reverse(name, args=[year["cycle"].pk])).status_code == status


def test_the_summary_page_needs_sign_in_and_get(year, client, client_for, reviewer):
    url = detail_url(year["cycle"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_for(reviewer).post(url).status_code == 405
    status_url = reverse("reports:summary_status", args=[year["cycle"].pk])
    assert client_for(reviewer).post(status_url).status_code == 405


def test_only_reviewers_get_the_form_to_build(year, client_for, reviewer, leader):
    url = detail_url(year["cycle"])
    page = client_for(reviewer).get(url).content.decode()
    assert reverse("reports:summary_start", args=[year["cycle"].pk]) in page
    assert "Tính cả báo cáo đã gửi nhưng chưa tiếp nhận" in page
    page = client_for(leader).get(url).content.decode()
    assert reverse("reports:summary_start", args=[year["cycle"].pk]) not in page


def test_the_status_block_polls_while_running_and_stops_when_done(year, client_for, leader):
    cycle = year["cycle"]
    summary = YearlySummary.objects.create(
        cycle=cycle,
        status=SummaryStatus.RUNNING,
        started_at=timezone.now(),
        progress=45,
        step="Đang tạo tệp Word…",
    )
    url = reverse("reports:summary_status", args=[cycle.pk])
    client = client_for(leader)
    running = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in running
    assert f'hx-get="{url}"' in running
    assert 'value="45"' in running
    assert "45% — Đang tạo tệp Word…" in running
    assert "<script" not in running
    assert "style=" not in running

    YearlySummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.DONE, progress=100)
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done
    assert "Hoàn thành" in done


def test_the_page_shows_the_failure_in_red(year, client_for, reviewer):
    YearlySummary.objects.create(
        cycle=year["cycle"], status=SummaryStatus.FAILED, error=BROKER_DOWN
    )
    page = client_for(reviewer).get(detail_url(year["cycle"])).content.decode()
    assert BROKER_DOWN in page
    assert "alert-danger" in page
    assert "Lập lại báo cáo tổng hợp" in page


def test_the_page_links_each_file_with_the_time_it_was_built(year, client_for, reviewer, leader):
    summary = build(year["cycle"], reviewer)
    page = client_for(leader).get(detail_url(year["cycle"])).content.decode()
    for kind in ("docx", "xlsx"):
        assert reverse("reports:summary_download", args=[summary.cycle_id, kind]) in page
    assert "tạo lúc 05/01/2027 08:30" in page
    assert "Đã gửi 3/" in page


def test_a_reviewer_starts_the_build_from_the_page(
    year, client_for, reviewer, queue, django_capture_on_commit_callbacks
):
    cycle = year["cycle"]
    url = reverse("reports:summary_start", args=[cycle.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reviewer).post(url, {"number": "125", "include_submitted": "on"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(cycle)
    summary = YearlySummary.objects.get(cycle=cycle)
    assert (summary.status, summary.number, summary.include_submitted) == ("queued", "125", True)
    assert summary.requested_by == reviewer
    assert queue == [{"summary_id": summary.pk}]
    page = client_for(reviewer).get(detail_url(cycle)).content.decode()
    assert 'hx-trigger="every 2s"' in page


def test_a_double_click_on_build_queues_one_job(
    year, client_for, reviewer, queue, django_capture_on_commit_callbacks
):
    url = reverse("reports:summary_start", args=[year["cycle"].pk])
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, follow=True)
    assert len(queue) == 1
    assert "đang được lập" in second.content.decode()


def test_a_refused_job_is_reported_on_the_page(
    year, client_for, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(celery_app, "send_task", refuse)
    url = reverse("reports:summary_start", args=[year["cycle"].pk])
    client = client_for(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    page = client.get(detail_url(year["cycle"])).content.decode()
    assert BROKER_DOWN in page
    assert "hx-trigger" not in page  # nothing to wait for


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 403),
        ("reporter", 403),
        ("other_reporter", 403),
        ("body_reporter", 403),
        ("outsider", 404),
    ],
)
def test_only_reviewers_may_start_a_build(request, year, client_for, queue, persona, status):
    url = reverse("reports:summary_start", args=[year["cycle"].pk])
    assert client_for(request.getfixturevalue(persona)).post(url).status_code == status
    assert not YearlySummary.objects.exists()


def test_starting_a_build_needs_sign_in_and_post(year, client, client_for, reviewer):
    url = reverse("reports:summary_start", args=[year["cycle"].pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_for(reviewer).get(url).status_code == 405


def download_url(cycle, kind="docx") -> str:
    return reverse("reports:summary_download", args=[cycle.pk, kind])


@pytest.mark.parametrize("persona", ["reviewer", "leader", "admin_user"])
def test_the_word_file_downloads_as_an_attachment(request, year, client_for, reviewer, persona):
    build(year["cycle"], reviewer)
    response = client_for(request.getfixturevalue(persona)).get(download_url(year["cycle"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-tong-hop-2026.docx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert "BÁO CÁO" in [p.text for p in document.paragraphs]


def test_the_excel_file_downloads_too(year, client_for, reviewer):
    build(year["cycle"], reviewer)
    response = client_for(reviewer).get(download_url(year["cycle"], "xlsx"))
    assert response.status_code == 200
    assert 'filename="bao-cao-tong-hop-2026.xlsx"' in response["Content-Disposition"]


def test_downloads_of_unknown_kinds_or_missing_files_are_not_found(
    year, client_for, reviewer, media
):
    client = client_for(reviewer)
    assert client.get(download_url(year["cycle"])).status_code == 404  # nothing built yet
    summary = build(year["cycle"], reviewer)
    assert client.get(download_url(year["cycle"], "exe")).status_code == 404
    assert client.get(download_url(year["cycle"], "pdf")).status_code == 404  # not built
    Path(summary.docx.path).unlink()
    assert client.get(download_url(year["cycle"])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("reporter", 403), ("body_reporter", 403), ("outsider", 404)]
)
def test_others_cannot_download_the_summary(request, year, client_for, persona, status):
    summary = YearlySummary.objects.create(cycle=year["cycle"], status=SummaryStatus.DONE)
    summary.docx.save("bao-cao.docx", ContentFile(b"PK"), save=True)
    response = client_for(request.getfixturevalue(persona)).get(download_url(year["cycle"]))
    assert response.status_code == status


def test_downloading_needs_sign_in_and_get(year, client, client_for, reviewer):
    build(year["cycle"], reviewer)
    url = download_url(year["cycle"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_for(reviewer).post(url).status_code == 405


def test_past_the_quoting_limit_the_rest_are_counted_not_quoted(year, reviewer, monkeypatch):
    """At national size the summary quotes a bounded number of organisations per part and
    counts the others (their texts stay in the reports and the Excel file)."""
    from reports.summary import draft

    monkeypatch.setattr(draft, "QUOTED", 1)
    summary = build(year["cycle"], reviewer)
    texts = paragraphs(summary)
    assert summary.status == SummaryStatus.DONE, summary.error
    limitations = texts[texts.index("III. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN") :]
    # 2026 counts two accepted reports: both are counted, one is quoted.
    assert limitations[2] == "2 đơn vị nêu hạn chế, khuyết điểm; chủ yếu là:"
    assert limitations[3].startswith("- ")
    assert limitations[4] == "2. Nguyên nhân"
    task_one = texts.index(f"1. {Task.objects.get(plan=year['cycle'].plan, number=1).title}")
    quoted = texts.index("Một số kết quả tiêu biểu:", task_one)
    assert texts[quoted + 1].startswith("- ")
    assert not texts[quoted + 2].startswith("- ")


# A killed build ---------------------------------------------------------------------------


LOST = "Việc tổng hợp đã dừng giữa chừng"


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def killed_at_80(cycle, *, silent_for: dt.timedelta) -> YearlySummary:
    """A build whose worker died while LibreOffice converted: running, 80 %, its
    heartbeat ``silent_for`` old, and the converter's folder left behind."""
    now = timezone.now()
    summary = YearlySummary.objects.create(
        cycle=cycle,
        status=SummaryStatus.RUNNING,
        progress=80,
        step="Đang tạo tệp PDF…",
        requested_at=now - dt.timedelta(minutes=5),
        started_at=now - dt.timedelta(minutes=5),
        heartbeat_at=now - silent_for,
    )
    left = scratch_folder(summary.pk)
    (left / "profile").mkdir(parents=True)
    (left / "bao-cao.docx").write_bytes(b"PK")
    return summary


def test_a_build_whose_heartbeat_stopped_shows_failed_and_may_start_again_at_once(
    year, client_for, reviewer, queue, var_dir, django_capture_on_commit_callbacks
):
    cycle = year["cycle"]
    summary = killed_at_80(cycle, silent_for=dt.timedelta(minutes=3))

    page = client_for(reviewer).get(detail_url(cycle)).content.decode()
    assert LOST in page
    assert "hx-trigger" not in page  # nothing to wait for
    assert "Lập lại báo cáo tổng hợp" in page
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.FAILED
    assert not scratch_folder(summary.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = summary_request(cycle=cycle, actor=reviewer)
    assert (again.pk, again.status, again.error) == (summary.pk, SummaryStatus.QUEUED, "")
    assert queue == [{"summary_id": summary.pk}]


def test_a_new_request_takes_over_a_silent_build_even_before_the_page_is_seen(
    year, reviewer, queue, var_dir, django_capture_on_commit_callbacks
):
    summary = killed_at_80(year["cycle"], silent_for=dt.timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        again = summary_request(cycle=year["cycle"], actor=reviewer)
    assert (again.pk, again.status, again.progress) == (summary.pk, SummaryStatus.QUEUED, 0)
    assert queue == [{"summary_id": summary.pk}]


def test_a_build_that_still_beats_is_left_running(
    year, client_for, reviewer, queue, var_dir, django_capture_on_commit_callbacks
):
    cycle = year["cycle"]
    summary = killed_at_80(cycle, silent_for=dt.timedelta(seconds=30))
    page = client_for(reviewer).get(detail_url(cycle)).content.decode()
    assert LOST not in page
    assert 'hx-trigger="every 2s"' in page
    with django_capture_on_commit_callbacks(execute=True):
        again = summary_request(cycle=cycle, actor=reviewer)
    assert again.status == SummaryStatus.RUNNING
    assert queue == []
    assert scratch_folder(summary.pk).exists()


def test_the_next_build_removes_what_a_killed_one_left(year, reviewer, var_dir):
    summary = killed_at_80(year["cycle"], silent_for=dt.timedelta(minutes=3))
    YearlySummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.FAILED)
    built = build(year["cycle"], reviewer)
    assert built.status == SummaryStatus.DONE
    assert not scratch_folder(summary.pk).exists()


def test_the_build_beats_while_libreoffice_converts(
    year, reviewer, monkeypatch, tmp_path_factory, var_dir
):
    import reports.summary.build as module

    office = fake_office(tmp_path_factory.mktemp("office"), works=True)
    script = Path(office)
    script.write_text(
        script.read_text().replace("import sys,", "import time; time.sleep(1)\nimport sys,")
    )
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: office if name == "soffice" else None
    )
    monkeypatch.setattr(module, "HEARTBEAT_EVERY", 0.2)
    beats = []
    original = module._beat

    def beat(summary_id):
        beats.append(summary_id)
        original(summary_id)

    monkeypatch.setattr(module, "_beat", beat)
    summary = build(year["cycle"], reviewer)
    assert summary.status == SummaryStatus.DONE, summary.error
    assert Path(summary.pdf.path).read_bytes() == b"%PDF-1.4 gia lap"
    assert len(beats) >= 2
    assert set(beats) == {summary.pk}
    assert summary.heartbeat_at is not None
    assert not scratch_folder(summary.pk).exists()


def test_xlsx_prints_on_a4_landscape_with_the_codes_last_and_unprinted(year, reviewer):
    cycle = year["cycle"]
    workbook = load_workbook(build(cycle, reviewer).xlsx.path)
    for sheet in workbook:
        printed = assert_prints(sheet, header_row=1)
        assert printed["header"][:2] == ["STT", "Đơn vị"]
        assert sheet.cell(row=1, column=len(printed["header"]) + 1).value == "Mã đơn vị"
        assert sheet.print_title_cols in (None, "$A:$B")
        assert "Báo cáo tổng hợp năm 2026" in sheet.oddHeader.center.text
    codes = [row[-1] for row in workbook["Tình hình báo cáo"].iter_rows(values_only=True)]
    assert "TV-HCL" in codes
    # The indicators side by side: pages across, each starting with the units' names.
    assert workbook["Số liệu"].print_title_cols == "$A:$B"
