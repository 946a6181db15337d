"""A committee's report opens with what section III.1 asks first: how it led the
dissemination, made its own implementation plan and passed it on to its chi bộ. A
grassroots organisation's report has no such section; and a committee's form shows only
the actions it carries out itself."""

import io

import pytest
from django.urls import reverse
from docx import Document

from reports.documents.report import report_docx_bytes
from reports.selectors import report_with_content
from reports.services import SubmissionInvalid
from reports.services.reports import report_submit
from tests.reports.factories import full_content, make_cycle, make_report

HEADING = "I. Công tác lãnh đạo, chỉ đạo triển khai, quán triệt và xây dựng kế hoạch thực hiện"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer)


@pytest.fixture
def report(cycle, organisations, reporter):
    return make_report(cycle, organisations["TV-HCL"], reporter)


def test_a_committees_form_opens_with_the_leadership_section(client_for, reporter, report):
    html = client_for(reporter).get(reverse("reports:report_edit", args=[report.pk])).content
    html = html.decode()
    assert 'name="leadership"' in html
    assert html.index('name="leadership"') < html.index('name="s1-results"')
    assert HEADING in html


def test_a_grassroots_form_has_no_leadership_section(
    client_for, grassroots_reporter, cycle, organisations
):
    report = make_report(cycle, organisations["TV-HCL-XANTRUONG"], grassroots_reporter)
    assert not report.asks_leadership
    response = client_for(grassroots_reporter).get(reverse("reports:report_edit", args=[report.pk]))
    assert 'name="leadership"' not in response.content.decode()
    # And its submission does not ask for it.
    submitted = report_submit(
        report=report,
        content=full_content(report),
        version=report.version,
        actor=grassroots_reporter,
    )
    assert submitted.first_submitted_at is not None


def test_a_committee_cannot_submit_without_its_leadership_section(report, reporter):
    content = full_content(report)
    content.leadership = "  "
    with pytest.raises(SubmissionInvalid) as excinfo:
        report_submit(report=report, content=content, version=report.version, actor=reporter)
    assert list(excinfo.value.errors) == ["leadership"]


def test_leadership_is_saved_and_shown_on_the_detail_print_and_word(client_for, reporter, report):
    content = full_content(report)
    content.leadership = "Ban Thường vụ Huyện ủy tổ chức hội nghị quán triệt ngày 05/3."
    report_submit(report=report, content=content, version=report.version, actor=reporter)
    report.refresh_from_db()
    assert report.leadership == content.leadership
    client = client_for(reporter)
    for name in ("reports:report_detail", "reports:report_print"):
        html = client.get(reverse(name, args=[report.pk])).content.decode()
        assert HEADING in html, name
        assert "tổ chức hội nghị quán triệt ngày 05/3" in html, name
        # Before the first task.
        assert html.index(HEADING) < html.index('id="nhiem-vu-1"'), name
    document = Document(io.BytesIO(report_docx_bytes(report_with_content(report))))
    texts = [p.text for p in document.paragraphs]
    assert texts.index(HEADING) + 1 == texts.index(content.leadership)
    assert texts.index(HEADING) < next(
        i for i, t in enumerate(texts) if t.startswith("Nhiệm vụ 1:")
    )


def test_task_7_on_a_districts_form_leaves_out_the_provinces_action(client_for, reporter, report):
    html = client_for(reporter).get(reverse("reports:report_edit", args=[report.pk])).content
    html = html.decode()
    assert "Hàng năm, Ban Thường vụ Tỉnh ủy xây dựng kế hoạch kiểm tra" not in html
    assert (
        "Ban thường vụ các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy thường xuyên"
        in html
    )
