"""The report form helps while it is filled in: required fields marked, a running count
of what is missing, every error of an attempt shown at once, nothing typed lost."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reports.models import EventKind, ReportStatus
from reports.report_form import ReportForm
from reports.selectors import report_with_content
from tests.reports.factories import form_data, make_cycle, make_report

RULE = "Số lớp bồi dưỡng đảng viên mới không được lớn hơn tổng số lớp"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def report(plan, reviewer, organisations, reporter):
    return make_report(make_cycle(plan, reviewer), organisations["TV-HCL"], reporter)


def edit_url(report):
    return reverse("reports:report_edit", args=[report.pk])


def input_tag(page: str, name: str) -> str:
    return re.search(rf'<(?:input|textarea|select)[^>]*name="{re.escape(name)}"[^>]*>', page)[0]


def test_required_fields_are_marked_visibly_and_for_screen_readers(client_for, reporter, report):
    page = client_for(reporter).get(edit_url(report)).content.decode()
    form = ReportForm(report=report_with_content(report))
    required = set(form.required_keys)
    # What a submission needs, and only that: the required figures, not the optional ones.
    assert {"overall_assessment", "signer_name", "s1-results", "s1-level"} <= required
    assert "i-T3_ADMITTED" in required
    assert "i-T1_NEW_MEMBER_CLASSES" not in required  # required: false in the plan
    assert "proposals" not in required
    for key in ("i-T3_ADMITTED", "s1-results", "s1-level", "signer_name"):
        tag = input_tag(page, key)
        assert 'aria-required="true"' in tag, key
        assert "data-required" in tag, key
        assert " required" not in tag.replace("aria-required", "").replace("data-required", ""), (
            key
        )  # a draft may still be saved half-filled
    for key in ("i-T1_NEW_MEMBER_CLASSES", "proposals"):
        assert "aria-required" not in input_tag(page, key), key
    assert page.count('aria-required="true"') == len(required)
    assert page.count('class="required-mark"') == len(required) + 1  # and the legend
    assert "là bắt buộc khi gửi báo cáo" in page


def test_the_page_counts_what_is_still_missing_and_a_script_keeps_counting(
    client_for, reporter, report
):
    client = client_for(reporter)
    form = ReportForm(report=report_with_content(report))
    page = client.get(edit_url(report)).content.decode()
    assert f"Còn {len(form.required_keys)} mục bắt buộc chưa nhập." in page
    assert 'id="con-thieu" aria-live="polite"' in page
    assert 'data-some="Còn {n} mục bắt buộc chưa nhập."' in page
    assert '<script src="/static/js/report-form.js"></script>' in page
    script = (Path(settings.BASE_DIR) / "static" / "js" / "report-form.js").read_text()
    assert "[data-required]" in script
    assert "con-thieu" in script

    data = form_data(report)
    data["signer_name"] = ""
    data["i-T3_ADMITTED"] = ""
    client.post(edit_url(report), data)
    page = client.get(edit_url(report)).content.decode()
    assert "Còn 2 mục bắt buộc chưa nhập." in page

    client.post(edit_url(report), form_data(report_with_content(report)))
    page = client.get(edit_url(report)).content.decode()
    assert "Đã nhập đủ các mục bắt buộc." in page


@pytest.mark.parametrize("button", ["save", "submit"])
def test_a_format_error_and_a_rule_error_are_shown_in_one_attempt(
    client_for, reporter, report, button
):
    data = form_data(report, **{button: "1"})
    data["i-T3_ADMITTED"] = "12a"  # not a number
    data["i-T1_TRAINING_CLASSES"] = "2"
    data["i-T1_NEW_MEMBER_CLASSES"] = "5"  # a part larger than its whole
    response = client_for(reporter).post(edit_url(report), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "không phải là số hợp lệ" in str(errors["i-T3_ADMITTED"])
    assert RULE in str(errors["i-T1_NEW_MEMBER_CLASSES"])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_refused_submit_saves_what_was_typed_then_says_why(client_for, reporter, report):
    data = form_data(report, submit="1", overall_assessment="Đánh giá mới gõ.")
    data["i-T3_ADMITTED"] = "abc"
    data["s2-results"] = ""
    response = client_for(reporter).post(edit_url(report), data)
    page = response.content.decode()
    saved_at = page.index("Đã lưu bản nháp")
    assert saved_at < page.index("Chưa gửi được: còn 2 mục")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.overall_assessment == "Đánh giá mới gõ."
    assert report.events.filter(kind=EventKind.SAVED).count() == 1
    assert not report.events.filter(kind=EventKind.SUBMITTED).exists()
    form = response.context["form"]
    assert set(form.errors) == {"i-T3_ADMITTED", "s2-results"}
    assert form["i-T3_ADMITTED"].value() == "abc"
    assert form["overall_assessment"].value() == "Đánh giá mới gõ."

    # Fixed in the form as shown, it goes at once.
    data = form_data(report, submit="1", overall_assessment="Đánh giá mới gõ.")
    response = client_for(reporter).post(edit_url(report), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_draft_that_breaks_a_rule_is_saved_with_a_warning_and_refused_at_submit(
    client_for, reporter, report
):
    client = client_for(reporter)
    data = form_data(report)
    data["i-T1_TRAINING_CLASSES"] = "2"
    data["i-T1_NEW_MEMBER_CLASSES"] = "5"
    response = client.post(edit_url(report), data, follow=True)
    page = response.content.decode()
    assert "Đã lưu nháp." in page
    assert "Lưu ý: " + RULE in page  # the message after the save
    assert 'class="small text-warning-emphasis mb-1 rule-warning"' in page  # beside the field
    report.refresh_from_db()
    assert report.values.get(indicator__code="T1_NEW_MEMBER_CLASSES").value == 5

    data = form_data(report, submit="1")
    data["i-T1_TRAINING_CLASSES"] = "2"
    data["i-T1_NEW_MEMBER_CLASSES"] = "5"
    response = client.post(edit_url(report), data)
    assert RULE in str(response.context["form"].errors["i-T1_NEW_MEMBER_CLASSES"])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_draft_within_the_rules_gets_no_warning(client_for, reporter, report):
    response = client_for(reporter).post(edit_url(report), form_data(report), follow=True)
    page = response.content.decode()
    assert "Đã lưu nháp." in page
    assert "Báo cáo sẽ chưa gửi được" not in page
    assert "rule-warning" not in page
