"""The printable page and the Word file of an annual report."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx.oxml.ns import qn

from organisations.models import Organisation, OrganisationKind
from reports.documents.party import place_date_line, place_of, superior_line
from reports.documents.report import DOCX_CONTENT_TYPE, report_docx_bytes
from reports.figures.content import ReportContent, SectionContent
from reports.models import AnnualReport, ReportStatus
from reports.selectors import report_with_content
from reports.services.cycles import cycle_open
from reports.services.reports import report_save, report_start

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TASK_1 = "Nhiệm vụ 1: Đổi mới giáo dục chính trị, tư tưởng"
# The plan named as its own title does (its issuer, then 38-KL/TW ...), from its data.
SUBJECT = (
    "kết quả thực hiện Kế hoạch số 112-KH/TU của Ban Thường vụ Tỉnh ủy Trà Vinh"
    " thực hiện Kết luận số 38-KL/TW"
)
ATTACK = "<script>alert('x')</script> & đồng chí"


@pytest.fixture
def cycle(plan, reviewer):
    return cycle_open(
        plan=plan, year=2026, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31),
        opens_on=dt.date(2026, 11, 1), due_on=dt.date(2026, 12, 15),
        closes_on=dt.date(2027, 1, 31), actor=reviewer,
    )  # fmt: skip


def make_report(cycle, organisation, actor, *, limitations="Còn chậm ở một số chi bộ.", **extra):
    """A saved draft with text in every section and a few figures."""
    report = report_start(cycle=cycle, organisation=organisation, actor=actor)
    numbers = [s.task.number for s in report.sections.select_related("task")]
    content = ReportContent(
        leadership=extra.get("leadership", "Đã quán triệt và ban hành kế hoạch thực hiện."),
        overall_assessment=extra.get("overall", "Cơ bản hoàn thành các chỉ tiêu đề ra."),
        proposals=extra.get("proposals", "Đề nghị Tỉnh ủy mở thêm lớp bồi dưỡng."),
        signer_name="Nguyễn Văn Ánh",
        signer_position="Bí thư Huyện ủy",
        sections={
            n: SectionContent(
                results=extra.get("results", f"Kết quả nhiệm vụ {n}: đạt yêu cầu."),
                limitations=limitations,
                causes="Nhận thức của một số cấp ủy chưa đầy đủ.",
                next_steps="Tiếp tục quán triệt, kiểm tra, đôn đốc.",
                level="good",
            )
            for n in numbers
        },
        figures=extra.get(
            "figures",
            {"T3_ADMITTED": Decimal("1234"), "T3_ADMITTED_WOMEN": Decimal("48")},
        ),
    )
    return report_save(report=report, content=content, version=report.version, actor=actor)


@pytest.fixture
def report(cycle, organisations, reporter):
    return make_report(cycle, organisations["TV-HCL"], reporter, results=ATTACK)


def print_url(report):
    return reverse("reports:report_print", args=[report.pk])


def docx_url(report):
    return reverse("reports:report_docx", args=[report.pk])


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


# Print page -----------------------------------------------------------------------------


def test_print_page_lays_out_the_party_document_header(client_for, reporter, report):
    html = client_for(reporter).get(print_url(report)).content.decode()
    for text in (
        "ĐẢNG BỘ TỈNH TRÀ VINH",
        "HUYỆN ỦY CÀNG LONG",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO",
        SUBJECT,
        "Trạng thái: Đang soạn",
    ):
        assert text in html


def test_print_page_shows_every_task_section_with_its_parts(client_for, reporter, report):
    html = client_for(reporter).get(print_url(report)).content.decode()
    for n in range(1, 8):
        assert f"Nhiệm vụ {n}:" in html
    assert TASK_1 in html
    for label in ("Kết quả đạt được", "Hạn chế", "Nguyên nhân", "Phương hướng, giải pháp"):
        assert label in html
    assert "Tự đánh giá" in html
    assert "Tốt" in html
    assert "Cơ bản hoàn thành các chỉ tiêu đề ra." in html
    assert "Đề nghị Tỉnh ủy mở thêm lớp bồi dưỡng." in html


def test_print_page_formats_figures_the_vietnamese_way(client_for, reporter, report):
    html = client_for(reporter).get(print_url(report)).content.decode()
    assert "Số đảng viên mới được kết nạp" in html
    assert ">1.234<" in html
    assert ">48<" in html


def test_print_page_escapes_what_users_typed(client_for, reporter, report):
    html = client_for(reporter).get(print_url(report)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; đồng chí" in html
    assert "<script>" not in html


def test_print_page_keeps_line_breaks(client_for, reporter, cycle, organisations):
    report = make_report(
        cycle, organisations["TV-HCL"], reporter, overall="Dòng thứ nhất.\r\n\r\n  Dòng thứ hai.  "
    )
    html = client_for(reporter).get(print_url(report)).content.decode()
    # Each line is a paragraph of its own, indented like the first: as in the Word file.
    assert '<p class="doc-text">Dòng thứ nhất.</p><p class="doc-text">Dòng thứ hai.</p>' in html


def test_print_page_marks_empty_parts_as_not_entered(client_for, reporter, cycle, organisations):
    report = make_report(cycle, organisations["TV-HCL"], reporter, limitations="", proposals="")
    html = client_for(reporter).get(print_url(report)).content.decode()
    assert html.count("(chưa nhập)") == 7 + 1  # the limitations of each task, the proposals


def test_print_page_shows_the_signer_and_recipients(client_for, reporter, report):
    html = client_for(reporter).get(print_url(report)).content.decode()
    # Signed for the standing committee, the title without the body's name (36-HD).
    assert "T/M BAN THƯỜNG VỤ" in html
    assert ">BÍ THƯ<" in html
    assert "BÍ THƯ HUYỆN ỦY" not in html
    assert "Nguyễn Văn Ánh" in html
    assert "Nơi nhận:" in html
    # Addressed to the committee it reports to, as plan III.1 says: Thường trực, through
    # Ban Tổ chức; names from the organisations' data.
    assert "- Thường trực Tỉnh ủy Trà Vinh (qua Ban Tổ chức Tỉnh ủy)," in html
    assert "- Lưu." in html


def test_print_page_links_back_and_says_how_to_print(client_for, reporter, report):
    html = client_for(reporter).get(print_url(report)).content.decode()
    assert f'href="{report.get_absolute_url()}"' in html
    assert "Quay lại báo cáo" in html
    assert "data-print" in html  # the print button, wired by static/js/app.js
    assert "Ctrl+P" in html
    assert "css/report_print.css" in html
    assert "onclick" not in html
    assert "<style" not in html  # everything from static files, as the CSP requires


def test_print_stylesheet_sets_a4_page():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "report_print.css").read_text()
    assert "size: A4; margin: 2cm 1.5cm 2cm 3cm;" in css
    # Page numbers from page 2: the first page's top margin stays empty.
    assert "@top-center { content: counter(page);" in css
    assert "@page :first { @top-center { content: none; } }" in css


def test_print_page_dates_a_draft_today(client_for, reporter, report):
    with time_machine.travel(dt.datetime(2026, 2, 5, 9, 0, tzinfo=ZONE), tick=False):
        html = client_for(reporter).get(print_url(report)).content.decode()
    assert "Càng Long, ngày 05 tháng 02 năm 2026" in html


def test_print_page_dates_a_submitted_report_by_its_last_submission(client_for, reporter, report):
    first = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
    last = dt.datetime(2026, 12, 10, 23, 30, tzinfo=ZONE)  # 16:30 UTC: the local day counts
    AnnualReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, first_submitted_at=first, last_submitted_at=last
    )
    html = client_for(reporter).get(print_url(report)).content.decode()
    assert "Càng Long, ngày 10 tháng 12 năm 2026" in html
    assert "Trạng thái: Đã gửi" in html


@pytest.mark.parametrize("persona", ["reporter", "reviewer", "leader", "admin_user"])
def test_print_page_is_open_to_whoever_sees_the_report(request, client_for, report, persona):
    response = client_for(request.getfixturevalue(persona)).get(print_url(report))
    assert response.status_code == 200
    assert response.templates[0].name == "reports/report_print.html"


def test_print_page_of_a_missing_report_is_404(client_for, reviewer, report):
    url = reverse("reports:report_print", args=[report.pk + 1000])
    assert client_for(reviewer).get(url).status_code == 404


def test_print_page_is_not_cached(client_for, reporter, report):
    response = client_for(reporter).get(print_url(report))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


# Word file ------------------------------------------------------------------------------


def test_docx_holds_the_party_document(report):
    text = docx_text(report_docx_bytes(report_with_content(report)))
    for expected in (
        "ĐẢNG BỘ TỈNH TRÀ VINH",
        "HUYỆN ỦY CÀNG LONG",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO",
        SUBJECT,
        TASK_1,
        "Kết quả đạt được:",
        "Phương hướng, giải pháp thời gian tới:",
        "Số đảng viên mới được kết nạp",
        "1.234",
        "Đánh giá chung",
        "Kiến nghị, đề xuất",
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
        "Nguyễn Văn Ánh",
        "Nơi nhận:",
        "- Lưu.",
    ):
        assert expected in text
    assert "Đang soạn" not in text  # the status is for the print page only


def test_docx_keeps_typed_text_as_text(report):
    assert ATTACK in docx_text(report_docx_bytes(report_with_content(report)))


def test_docx_header_is_a_borderless_two_column_table(report):
    document = docx.Document(io.BytesIO(report_docx_bytes(report_with_content(report))))
    header = document.tables[0]
    assert len(header.columns) == 2
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "ĐẢNG BỘ TỈNH TRÀ VINH", "HUYỆN ỦY CÀNG LONG", "*", "Số …-BC/HU",
    ]  # fmt: skip
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert right.paragraphs[0].runs[0].bold
    assert right.paragraphs[0].runs[0].underline
    assert right.paragraphs[1].runs[0].italic
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_docx_table_properties_follow_the_schema_order(report):
    """Word rejects a file whose table properties are out of the schema's order."""
    order = ["tblStyle", "tblW", "jc", "tblBorders", "tblLayout", "tblLook"]
    document = docx.Document(io.BytesIO(report_docx_bytes(report_with_content(report))))
    assert len(document.tables) > 3
    for table in document.tables:
        tags = [child.tag.split("}")[1] for child in table._tbl.tblPr]
        assert tags == [tag for tag in order if tag in tags]


def test_docx_page_is_a4_with_party_margins(report):
    document = docx.Document(io.BytesIO(report_docx_bytes(report_with_content(report))))
    section = document.sections[0]
    assert section.page_width.cm == pytest.approx(21, abs=0.01)
    assert section.page_height.cm == pytest.approx(29.7, abs=0.01)
    assert section.left_margin.cm == pytest.approx(3, abs=0.01)
    assert section.top_margin.cm == pytest.approx(2, abs=0.01)
    assert section.bottom_margin.cm == pytest.approx(2, abs=0.01)
    assert 1.5 - 0.01 <= section.right_margin.cm <= 2 + 0.01


def test_docx_body_is_times_new_roman_14_justified(report):
    document = docx.Document(io.BytesIO(report_docx_bytes(report_with_content(report))))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == 14
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert normal.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
    assert normal.paragraph_format.first_line_indent.cm == pytest.approx(1, abs=0.01)


def test_docx_leaves_out_empty_parts(cycle, organisations, reporter):
    report = make_report(cycle, organisations["TV-HCL"], reporter, limitations="", proposals="")
    text = docx_text(report_docx_bytes(report_with_content(report)))
    assert "Hạn chế:" not in text
    assert "Kiến nghị, đề xuất" not in text
    assert "(chưa nhập)" not in text
    assert "Nguyên nhân:" in text


def test_docx_survives_control_characters_pasted_into_text(cycle, organisations, reporter):
    report = make_report(
        cycle, organisations["TV-HCL"], reporter, results="Trước\x0bsau\x01 đó.\nDòng hai."
    )
    text = docx_text(report_docx_bytes(report_with_content(report)))
    assert "Trướcsau đó." in text
    assert "Dòng hai." in text


def test_docx_download_is_a_word_attachment(client_for, reporter, report):
    response = client_for(reporter).get(docx_url(report))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="bao-cao-2026-TV-HCL.docx"')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20n%C4%83m%202026" in disposition
    assert disposition.endswith(".docx")
    assert "no-store" in response["Cache-Control"]
    document = docx.Document(io.BytesIO(response.content))
    assert any(
        "HUYỆN ỦY CÀNG LONG" in p.text for c in document.tables[0]._cells for p in c.paragraphs
    )


@pytest.mark.parametrize("persona", ["reporter", "reviewer", "leader", "admin_user"])
def test_docx_is_open_to_whoever_sees_the_report(request, client_for, report, persona):
    response = client_for(request.getfixturevalue(persona)).get(docx_url(report))
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


PERSONAS = [
    "reporter", "other_reporter", "body_reporter", "reviewer", "leader", "outsider", "admin_user",
]  # fmt: skip


@pytest.mark.parametrize("url_of", [print_url, docx_url])
def test_exports_never_answer_403(request, client_for, report, url_of):
    """Seeing a report is enough to print or download it: 200 or 404, never 403."""
    for persona in PERSONAS:
        status = client_for(request.getfixturevalue(persona)).get(url_of(report)).status_code
        assert status in {200, 404}, persona


# Header parts for other organisations ---------------------------------------------------


def test_header_of_a_provincial_body_names_the_committee_and_the_province(organisations):
    body = organisations["TV-BTG"]
    assert superior_line(body) == "TỈNH ỦY TRÀ VINH"
    assert place_of(body) == "Trà Vinh"


def test_header_of_an_affiliated_committee_names_the_provincial_party_body(organisations):
    assert superior_line(organisations["TV-DUKCQ"]) == "ĐẢNG BỘ TỈNH TRÀ VINH"


def test_header_of_a_top_organisation_has_no_superior_line(organisations):
    assert superior_line(organisations["TV-TU"]) == ""
    assert place_of(organisations["TV-TU"]) == "Trà Vinh"


def test_place_is_left_out_when_names_do_not_tell_it(organisations):
    cell = Organisation(
        code="X-CB", name="Chi bộ ấp Mỹ Hòa", kind=OrganisationKind.CELL,
        parent=organisations["TV-HCL"],
    )  # fmt: skip
    assert place_of(cell) == ""
    assert superior_line(cell) == "ĐẢNG BỘ HUYỆN CÀNG LONG"
    assert place_date_line("", dt.date(2026, 11, 20)) == "ngày 20 tháng 11 năm 2026"


def test_city_committee_does_not_repeat_the_unit():
    city = Organisation(
        code="X-TU",
        name="Thành ủy Thành phố Hồ Chí Minh",
        kind=OrganisationKind.PROVINCIAL_COMMITTEE,
    )
    district = Organisation(
        code="X-QU", name="Quận ủy Quận 1", kind=OrganisationKind.DISTRICT_COMMITTEE, parent=city
    )
    assert superior_line(district) == "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH"
    assert place_of(district) == "Quận 1"


# Query budget ---------------------------------------------------------------------------


@pytest.mark.parametrize("url_of", [print_url, docx_url])
def test_exports_use_a_fixed_number_of_queries(
    client_for, django_assert_max_num_queries, reviewer, cycle, organisations, url_of,
):  # fmt: skip
    """A district (seven tasks, every figure) costs what a chi bộ with three tasks costs."""
    large = make_report(cycle, organisations["TV-HCL"], reviewer)
    cell = Organisation.objects.create(
        code="X-CB-HCL", name="Chi bộ ấp Mỹ Hòa", kind=OrganisationKind.CELL,
        parent=organisations["TV-HCL-XANTRUONG"],
    )  # fmt: skip
    small = make_report(cycle, cell, reviewer, figures={})
    assert large.values.count() > 2 * small.values.count()
    client = client_for(reviewer)
    counts = []
    for report in (large, small):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url_of(report)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(18):
        client.get(url_of(large))
