"""Documents follow the Party's rules on format in force on their date, and take their
issuer, number, signer and "Nơi nhận" from the issuing body's data (party.py)."""

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx.oxml.ns import qn

from organisations.loaders import organisations_load
from organisations.models import Organisation
from reports.documents.party import (
    HD_36,
    QD_399,
    clean_number,
    issuer_on,
    place_date_line,
    rules_for,
)
from reports.documents.report import report_document, report_docx_bytes
from reports.jobs.summaries import build_yearly_summary
from reports.models import AnnualReport, YearlySummary
from reports.selectors import report_with_content
from reports.services.reports import report_save
from reports.summary.build import summary_request
from tests.reports.factories import form_data, full_content, make_cycle, make_report

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHANGES_2025 = Path(settings.BASE_DIR) / "data" / "organisations" / "2025-vinh-long.yaml"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def no_office(monkeypatch):
    monkeypatch.setattr("reports.summary.build.pdf_renderer", lambda: None)


def build(cycle, actor, when, **options) -> YearlySummary:
    with time_machine.travel(when, tick=False):
        summary = summary_request(cycle=cycle, actor=actor, **options)
        build_yearly_summary(summary_id=summary.pk)
    summary.refresh_from_db()
    return summary


def signed_report(cycle, organisation, reporter, *, number="", when=None) -> AnnualReport:
    report = make_report(cycle, organisation, reporter)
    content = full_content(report)
    content.number = number
    content.signer_name = "Nguyễn Văn Ánh"
    content.signer_position = "Bí thư Huyện ủy"
    report = report_save(report=report, content=content, version=report.version, actor=reporter)
    if when is not None:
        AnnualReport.objects.filter(pk=report.pk).update(last_submitted_at=when)
    return report_with_content(report)


def closing_cells(document):
    left, right = document.tables[-1].rows[0].cells
    return left, right


def run_style(paragraph):
    run = paragraph.runs[0]
    return (run.font.size.pt, bool(run.bold), bool(run.italic), bool(run.underline))


def has_page_field(part) -> bool:
    return any(
        (node.text or "").strip() == "PAGE" for node in part._element.iter(qn("w:instrText"))
    )


# Which rules, by date --------------------------------------------------------------------


def test_rules_follow_the_documents_date():
    assert rules_for(dt.date(2017, 5, 1)) is HD_36  # older than 36-HD: the earliest known
    assert rules_for(dt.date(2018, 4, 3)) is HD_36
    assert rules_for(dt.date(2026, 1, 8)) is HD_36
    assert rules_for(dt.date(2026, 1, 9)) is QD_399
    assert rules_for(dt.date(2027, 3, 1)).citation.startswith("Quy định số 399-QĐ/TW")


def test_the_date_line_takes_leading_zeros_for_days_and_the_first_two_months():
    assert place_date_line("Trà Vinh", dt.date(2026, 1, 9)) == "Trà Vinh, ngày 09 tháng 01 năm 2026"
    assert (
        place_date_line("Trà Vinh", dt.date(2025, 11, 5)) == "Trà Vinh, ngày 05 tháng 11 năm 2025"
    )


# Numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "digits"), [("12", "12"), (" 12 ", "12"), ("12-BC/BTCTU", "12"), ("", "")]
)
def test_a_number_is_digits_or_the_full_symbol_of_the_body(typed, digits):
    assert clean_number(typed, suffix="BTCTU") == digits


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "chỉ gồm chữ số"),
        ("12a", "chỉ gồm chữ số"),
        ("12-BC/TU", "không đúng với cơ quan ban hành"),
        ("12-KH/BTCTU", "không đúng với cơ quan ban hành"),
    ],
)
def test_a_wrong_number_gets_a_vietnamese_message(typed, message):
    with pytest.raises(ValidationError) as error:
        clean_number(typed, suffix="BTCTU")
    assert message in error.value.messages[0]


def test_the_summary_page_refuses_a_number_that_is_not_one(client_for, reviewer, plan):
    cycle = make_cycle(plan, reviewer)
    url = reverse("reports:summary_start", args=[cycle.pk])
    page = client_for(reviewer).post(url, {"number": "abc"}, follow=True).content.decode()
    assert "Số văn bản chỉ gồm chữ số" in page
    assert not YearlySummary.objects.filter(cycle=cycle).exists()
    page = client_for(reviewer).post(url, {"number": "7-BC/TU"}, follow=True).content.decode()
    assert "phải là “-BC/BTCTU”" in page
    assert not YearlySummary.objects.filter(cycle=cycle).exists()


def test_the_report_form_refuses_a_number_that_is_not_one(client_for, reporter, plan, reviewer):
    cycle = make_cycle(plan, reviewer)
    report = make_report(cycle, Organisation.objects.get(code="TV-HCL"), reporter)
    url = reverse("reports:report_edit", args=[report.pk])
    response = client_for(reporter).post(url, form_data(report, number="abc"))
    assert response.status_code == 200
    assert "Số văn bản chỉ gồm chữ số" in response.content.decode()
    # The rest of what was typed is kept as the draft; the bad number is not.
    report.refresh_from_db()
    assert report.number == ""
    response = client_for(reporter).post(url, form_data(report, number="12-BC/HU"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.number == "12"


# The unit report ---------------------------------------------------------------------------


def test_the_unit_report_has_its_number_signature_and_page_numbers(plan, reviewer, reporter):
    cycle = make_cycle(plan, reviewer)
    report = signed_report(cycle, Organisation.objects.get(code="TV-HCL"), reporter, number="45")
    document = docx.Document(io.BytesIO(report_docx_bytes(report)))
    left = document.tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs] == [
        "ĐẢNG BỘ TỈNH TRÀ VINH", "HUYỆN ỦY CÀNG LONG", "*", "Số 45-BC/HU",
    ]  # fmt: skip
    recipients, signature = closing_cells(document)
    # Signed for the standing committee; the title names no body; the name below the room.
    assert [p.text for p in signature.paragraphs] == [
        "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "", "Nguyễn Văn Ánh",
    ]  # fmt: skip
    assert signature.paragraphs[2].paragraph_format.space_after.pt >= 72
    assert recipients.paragraphs[1].text == (
        "- Thường trực Tỉnh ủy Trà Vinh (qua Ban Tổ chức Tỉnh ủy),"
    )
    # Page numbers from page 2: a PAGE field in the header of the other pages, centred.
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert has_page_field(section.header)
    assert not has_page_field(section.first_page_header)
    assert section.header.paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER


def test_noi_nhan_looks_the_same_in_the_summary_and_the_unit_report(plan, reviewer, reporter):
    cycle = make_cycle(plan, reviewer)
    report = signed_report(cycle, Organisation.objects.get(code="TV-HCL"), reporter)
    unit = docx.Document(io.BytesIO(report_docx_bytes(report)))
    summary = build(cycle, reviewer, dt.datetime(2026, 12, 20, 9, tzinfo=TZ))
    yearly = docx.Document(summary.docx.path)
    (unit_left, unit_right), (year_left, year_right) = closing_cells(unit), closing_cells(yearly)
    assert unit_left.paragraphs[0].text == year_left.paragraphs[0].text == "Nơi nhận:"
    assert run_style(unit_left.paragraphs[0]) == run_style(year_left.paragraphs[0])
    assert run_style(unit_left.paragraphs[1]) == run_style(year_left.paragraphs[1])
    assert run_style(unit_right.paragraphs[0]) == run_style(year_right.paragraphs[0])


def test_the_print_page_carries_number_signature_and_recipients(
    client_for, plan, reviewer, reporter
):
    cycle = make_cycle(plan, reviewer)
    report = signed_report(cycle, Organisation.objects.get(code="TV-HCL"), reporter, number="45")
    html = client_for(reporter).get(reverse("reports:report_print", args=[report.pk]))
    html = html.content.decode()
    for text in ("Số 45-BC/HU", "T/M BAN THƯỜNG VỤ", ">BÍ THƯ<", "Nguyễn Văn Ánh", "38-KL/TW"):
        assert text in html
    assert "BÍ THƯ HUYỆN ỦY" not in html
    assert '<div class="doc-recipients-label">Nơi nhận:</div>' in html
    assert 'class="doc-signer">T/M BAN THƯỜNG VỤ<' in html


@pytest.mark.parametrize("rules", [HD_36, QD_399])
def test_the_print_stylesheet_carries_the_rules_styles(rules):
    """The page allows no inline style: its classes must say what the rules say."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "report_print.css").read_text()
    for name, attribute in [
        ("doc-superior", "superior"), ("doc-issuer", "issuer"), ("doc-number", "number"),
        ("doc-party-title", "party_title"), ("doc-place-date", "place_date"),
        ("doc-recipients-label", "recipients_label"), ("doc-recipients-line", "recipients"),
        ("doc-signer", "signer"),
    ]:  # fmt: skip
        assert f".{name} {{ {getattr(rules, attribute).css}; }}" in css


# The yearly summary ----------------------------------------------------------------------


def test_the_summary_is_issued_by_ban_to_chuc_to_ban_thuong_vu(plan, reviewer):
    cycle = make_cycle(plan, reviewer)
    summary = build(
        cycle, reviewer, dt.datetime(2026, 12, 20, 9, tzinfo=TZ), number="12",
        signer_authority="kt", signer_title="Phó Trưởng ban", signer_name="Trần Thị Bình",
    )  # fmt: skip
    document = docx.Document(summary.docx.path)
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "TỈNH ỦY TRÀ VINH", "BAN TỔ CHỨC", "*", "Số 12-BC/BTCTU",
    ]  # fmt: skip
    assert right.paragraphs[1].text == "Trà Vinh, ngày 20 tháng 12 năm 2026"
    texts = [p.text for p in document.paragraphs]
    assert any(text.endswith("kính báo cáo Ban Thường vụ Tỉnh ủy.") for text in texts)
    recipients, signature = closing_cells(document)
    assert recipients.paragraphs[1].text == "- Ban Thường vụ Tỉnh ủy (b/c),"
    assert [p.text for p in signature.paragraphs] == [
        "KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "", "Trần Thị Bình",
    ]  # fmt: skip
    section = document.sections[0]
    assert has_page_field(section.header)
    assert not has_page_field(section.first_page_header)


def test_the_summary_page_keeps_the_signer(client_for, reviewer, plan, queue_jobs):
    cycle = make_cycle(plan, reviewer)
    url = reverse("reports:summary_start", args=[cycle.pk])
    client_for(reviewer).post(
        url, {"number": "12-BC/BTCTU", "signer_authority": "kt", "signer_title": "Phó Trưởng ban",
              "signer_name": "Trần Thị Bình"},
    )  # fmt: skip
    summary = YearlySummary.objects.get(cycle=cycle)
    signer = (summary.signer_authority, summary.signer_title, summary.signer_name)
    assert summary.number == "12"
    assert signer == ("kt", "Phó Trưởng ban", "Trần Thị Bình")


@pytest.fixture
def queue_jobs(monkeypatch):
    monkeypatch.setattr("reports.summary.build.job_queue", lambda *args, **kwargs: None)


# After the 2025 reorganisation -------------------------------------------------------------


def test_a_summary_dated_after_july_2025_carries_the_vinh_long_names(plan, reviewer):
    cycle = make_cycle(plan, reviewer, year=2025)
    organisations_load(path=CHANGES_2025)
    document = docx.Document(
        build(cycle, reviewer, dt.datetime(2026, 2, 3, 9, tzinfo=TZ)).docx.path
    )
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][:2] == ["TỈNH ỦY VĨNH LONG", "BAN TỔ CHỨC"]
    assert right.paragraphs[1].text == "Vĩnh Long, ngày 03 tháng 02 năm 2026"
    assert "TRÀ VINH" not in " ".join(p.text for p in left.paragraphs)


def test_a_unit_report_follows_its_committee_through_the_merger(plan, reviewer, reporter):
    cycle = make_cycle(plan, reviewer, year=2025)
    police = Organisation.objects.get(code="TV-DUCA")
    before = dt.datetime(2025, 6, 20, 9, tzinfo=TZ)
    report = signed_report(cycle, police, reporter, number="3", when=before)
    organisations_load(path=CHANGES_2025)
    report = report_with_content(report)
    sent_before = report_document(report)
    assert sent_before.superior == "ĐẢNG BỘ TỈNH TRÀ VINH"
    assert sent_before.number == "Số 3-BC/ĐU"
    assert sent_before.recipients[0] == "Thường trực Tỉnh ủy Trà Vinh (qua Ban Tổ chức Tỉnh ủy),"

    AnnualReport.objects.filter(pk=report.pk).update(
        last_submitted_at=dt.datetime(2026, 1, 12, 9, tzinfo=TZ)
    )
    after = report_document(report_with_content(report))
    assert after.organisation_lines == ["ĐẢNG ỦY CÔNG AN TỈNH VĨNH LONG"]
    assert after.superior == "ĐẢNG BỘ TỈNH VĨNH LONG"
    assert after.place_date == "Vĩnh Long, ngày 12 tháng 01 năm 2026"
    assert after.recipients[0] == (
        "Thường trực Tỉnh ủy Vĩnh Long (qua Ban Tổ chức Tỉnh ủy Vĩnh Long),"
    )
    assert after.rules is QD_399  # dated after 9 January 2026


def test_the_issuing_bodys_data_comes_from_its_data_file(organisations):
    ban = Organisation.objects.get(code="TV-BTC")
    assert ban.document["suffix"] == "BTCTU"
    issuer = issuer_on(ban, dt.date(2025, 3, 1))
    assert (issuer.superior, issuer.name_lines, issuer.suffix, issuer.place) == (
        "TỈNH ỦY TRÀ VINH", ["BAN TỔ CHỨC"], "BTCTU", "Trà Vinh",
    )  # fmt: skip
    assert issuer.signer.title == "TRƯỞNG BAN"
    assert issuer.authority_line("kt") == "KT. TRƯỞNG BAN"
