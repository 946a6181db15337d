"""Every form that takes text refuses control characters, which break the workbooks and
Word files that later show the text; multi-line text keeps its tabs and line breaks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.figures.content import section_key
from reports.forms import (
    AcceptForm,
    CycleForm,
    ReopenForm,
    ReturnForm,
    SubPlanForm,
)
from reports.models import SubPlan
from reports.report_form import ReportForm
from tests.reports.factories import PDF, make_cycle, make_report

REFUSED = "ký tự điều khiển"
CYCLE = {
    "year": "2026",
    "title": "Kỳ báo cáo năm 2026",
    "period_start": "01/01/2026",
    "period_end": "31/12/2026",
    "opens_on": "01/11/2026",
    "due_on": "15/12/2026",
    "closes_on": "31/12/2026",
    "reminder_offsets": "-7, 7",
}


@pytest.fixture
def report(plan, organisations, reporter, reviewer):
    return make_report(make_cycle(plan, reviewer), organisations["TV-HCL"], reporter)


def report_data(report, **changes):
    form = ReportForm(report=report)
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return data


def refused(form, field):
    assert not form.is_valid()
    return any(REFUSED in message for message in form.errors.get(field, []))


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_report_text_with_a_control_character_is_refused_in_vietnamese(report, character):
    first = report.sections.first().task.number
    key = section_key(first, "results")
    form = ReportForm(report_data(report, **{key: f"Kết quả{character} tốt"}), report=report)
    assert refused(form, key)


def test_report_text_keeps_tabs_and_line_breaks(report):
    first = report.sections.first().task.number
    key = section_key(first, "results")
    data = report_data(report, **{key: "Dòng một\r\n\tDòng hai", "proposals": "Một\r\nHai"})
    form = ReportForm(data, report=report)
    assert form.is_valid(), form.errors
    assert form.cleaned_data[key] == "Dòng một\r\n\tDòng hai"


def test_single_line_report_fields_refuse_tabs_and_line_breaks_too(report):
    form = ReportForm(report_data(report, signer_name="Nguyễn\tVăn A"), report=report)
    assert refused(form, "signer_name")


def test_subplan_number_with_a_control_character_is_refused():
    data = {"number": "45\x01-KH/HU", "issued_on": "05/03/2026"}
    form = SubPlanForm(data, {"file": SimpleUploadedFile("kh.pdf", PDF)})
    assert refused(form, "number")


def test_cycle_title_with_a_control_character_is_refused():
    assert refused(CycleForm({**CYCLE, "title": "Kỳ\x1f 2026"}), "title")
    assert CycleForm(CYCLE).is_valid()


def test_review_comments_with_control_characters_are_refused(report):
    first = report.sections.first().task.number
    form = ReturnForm({"comment": "Bổ sung\x08", f"section-{first}": "Thiếu\x02"}, report=report)
    assert refused(form, "comment")
    assert refused(form, f"section-{first}")
    assert refused(ReopenForm({"reason": "Sai\x03 số liệu"}), "reason")
    assert refused(AcceptForm({"note": "\x1bĐồng ý"}), "note")
    assert ReturnForm({"comment": "Bổ sung\r\nsố liệu"}, report=report).is_valid()


def test_registering_a_subplan_numbered_with_a_control_character_saves_nothing(
    client_for, reporter, plan, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("reports:subplan_register", args=[plan.code])
    response = client_for(reporter).post(
        url,
        {
            "number": "45\x01-KH/HU",
            "issued_on": "05/03/2026",
            "file": SimpleUploadedFile("kh.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not SubPlan.objects.exists()
