"""A committee's report built from the reports addressed to it: figures filled from the
accepted reports of the level below, reasons for the figures changed by hand, the status
of the level below, and the plan's rule on submitting before all were accepted."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.figures.content import ReportContent, figure_key, reason_key
from reports.figures.definitions import cycle_figures
from reports.models import AnnualReport, EventKind, IndicatorValue, ReportStatus
from reports.report_form import ReportForm
from reports.services import SubmissionInvalid
from reports.services.reports import (
    report_accept,
    report_for_snapshot,
    report_return,
    report_save,
    report_submit,
)
from tasks.lines import node_of
from tasks.models import Aggregation, ChildrenRule, Indicator
from tests.reports.factories import full_content, make_cycle, make_report, submitted_report

SUM, MAX, AVERAGE = "T1_POLITICAL_THEORY_TRAINED", "T1_PARTY_WORK_TRAINED", "T1_NEW_MEMBERS_TRAINED"
CHILD_A, CHILD_B, CHILD_C = "TV-HCL-XANTRUONG", "TV-HCL-XANTRUONGA", "TV-HCL-TTCANGLONG"

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(plan, reviewer):
    Indicator.objects.filter(plan=plan, code=MAX).update(aggregation=Aggregation.MAX)
    Indicator.objects.filter(plan=plan, code=AVERAGE).update(aggregation=Aggregation.AVERAGE)
    return make_cycle(plan, reviewer)


@pytest.fixture
def children(cycle, organisations, grassroots_reporter, district_reviewer):
    """Two accepted reports of Càng Long's grassroots and one submitted, not yet accepted."""
    figures = {
        CHILD_A: {SUM: 10, MAX: 4, AVERAGE: 5},
        CHILD_B: {SUM: 20, MAX: 9, AVERAGE: 9},
        CHILD_C: {SUM: 1000, MAX: 1000, AVERAGE: 1000},
    }
    reports = {
        code: submitted_report(cycle, organisations[code], grassroots_reporter, figures=values)
        for code, values in figures.items()
    }
    for code in (CHILD_A, CHILD_B):
        report_accept(report=reports[code], actor=district_reviewer)
    return reports


def values_of(report: AnnualReport) -> dict[str, IndicatorValue]:
    return {v.indicator.code: v for v in report.values.select_related("indicator")}


def expected_children(cycle, organisations) -> int:
    return cycle_figures(cycle, node_of(organisations["TV-HCL"])).expected


def form_data(report: AnnualReport, **changes: str) -> dict[str, str]:
    """What the edit form posts back untouched, with ``changes`` by field name."""
    form = ReportForm(report=report_for_snapshot(report))
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        data[name] = "" if value is None else str(value)
    return data | changes


def test_committee_report_starts_from_accepted_children_by_aggregation(
    cycle, organisations, children, reporter, grassroots_reporter
):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    values = values_of(report)
    expected = expected_children(cycle, organisations)
    assert expected >= 14  # every grassroots of Càng Long
    # The submitted report (1000 everywhere) is not counted.
    assert values[SUM].value == values[SUM].derived == Decimal(30)
    assert values[MAX].value == Decimal(9)
    assert values[AVERAGE].value == Decimal(7)
    assert values["T2_THEMATIC_SESSIONS"].value == Decimal(6)  # 3 + 3 from the defaults
    assert (values[SUM].derived_from, values[SUM].derived_of) == (2, expected)
    # A grassroots nobody reports to gets nothing filled in.
    own = make_report(cycle, organisations["TV-HCL-XBINHPHU"], grassroots_reporter)
    assert all(v.derived_of == 0 and v.value is None for v in own.values.all())


def test_refresh_follows_new_acceptances_but_keeps_a_figure_changed_by_hand(
    cycle, organisations, children, reporter, district_reviewer, client_for
):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    client = client_for(reporter)
    url = reverse("reports:report_edit", args=[report.pk])
    # The committee changes one figure by hand, with its reason, and saves.
    saved = client.post(
        url, form_data(report, **{figure_key(SUM): "35", reason_key(SUM): "Cộng thêm 5"})
    )
    assert saved.status_code == 302
    report_accept(report=children[CHILD_C], actor=district_reviewer)
    report.refresh_from_db()
    data = form_data(report, derive="1")
    first = client.post(url, data)
    second = client.post(url, data)  # the same form posted twice: no harm, no error
    assert first.status_code == second.status_code == 302
    values = values_of(report)
    assert values[SUM].value == Decimal(35)
    assert values[SUM].reason == "Cộng thêm 5"
    assert values[SUM].derived == Decimal(1030)
    assert values[SUM].derived_from == 3
    assert values[MAX].value == values[MAX].derived == Decimal(1000)
    page = client.get(url)
    assert "tổng hợp từ 3/" in page.content.decode()
    assert "1.030" in page.content.decode()  # the derived figure, written the Vietnamese way


def test_a_changed_figure_without_a_reason_is_not_submitted(
    cycle, organisations, children, reporter, client_for
):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    content = full_content(report)
    report = report_save(report=report, content=content, version=report.version, actor=reporter)
    client = client_for(reporter)
    url = reverse("reports:report_edit", args=[report.pk])
    response = client.post(url, form_data(report, **{figure_key(SUM): "31", "submit": "1"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Số liệu khác với số tổng hợp từ báo cáo cấp dưới (30): vui lòng ghi lý do" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert values_of(report)[SUM].value == Decimal(31)  # what was typed is kept


def submit_with_reasons(report: AnnualReport, reporter) -> AnnualReport:
    full = report_for_snapshot(report)
    content = full_content(report)
    content.reasons = {
        v.indicator.code: "Theo số liệu rà soát của Huyện ủy"
        for v in full.values.all()
        if v.derived_of
    }
    return report_submit(report=report, content=content, version=report.version, actor=reporter)


def test_province_reviewer_reads_derived_figure_given_figure_and_reason(
    cycle, organisations, children, reporter, reviewer, client_for
):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    content = ReportContent.of(report_for_snapshot(report))
    base = full_content(report)
    base.figures[SUM] = Decimal(31)
    base.reasons = dict(content.reasons) | {SUM: "Một chi bộ báo cáo bổ sung sau"}
    for code, value in content.figures.items():
        if code != SUM:
            base.figures[code] = value
    base.figures["T1_NEW_MEMBER_CLASSES"] = base.figures["T1_TRAINING_CLASSES"]
    base.reasons["T1_NEW_MEMBER_CLASSES"] = ""
    submitted = report_submit(report=report, content=base, version=report.version, actor=reporter)
    assert submitted.status == ReportStatus.SUBMITTED
    snapshot = submitted.events.get(kind=EventKind.SUBMITTED).snapshot
    assert snapshot["reasons"][SUM] == "Một chi bộ báo cáo bổ sung sau"
    page = client_for(reviewer).get(submitted.get_absolute_url()).content.decode()
    expected = expected_children(cycle, organisations)
    assert f"tổng hợp từ 2/{expected} báo cáo đã tiếp nhận" in page
    assert "Điều chỉnh: số tổng hợp 30, số báo cáo 31." in page
    assert "Một chi bộ báo cáo bổ sung sau" in page
    # An old snapshot, taken before reasons existed, still reads.
    assert ReportContent.from_snapshot({"figures": {SUM: "1"}}).reasons == {}


def test_require_rule_refuses_while_a_child_is_not_accepted(
    cycle, organisations, children, reporter, plan
):
    plan.children_rule = ChildrenRule.REQUIRE
    plan.save(update_fields=["children_rule"])
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    pending = expected_children(cycle, organisations) - 2
    with pytest.raises(SubmissionInvalid) as refused:
        submit_with_reasons(report, reporter)
    message = refused.value.errors["children"][0]
    assert f"còn {pending}/" in message
    assert organisations[CHILD_C].name in message
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_warn_rule_submits_and_says_how_many_are_not_accepted(
    cycle, organisations, children, reporter, client_for
):
    assert cycle.plan.children_rule == ChildrenRule.WARN
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    report = report_save(
        report=report, content=full_content(report), version=report.version, actor=reporter
    )
    data = form_data(report, submit="1")
    for code, value in values_of(report).items():
        if value.derived_of:
            data[reason_key(code)] = "Theo số liệu rà soát"
    client = client_for(reporter)
    edit = client.get(reverse("reports:report_edit", args=[report.pk])).content.decode()
    pending = expected_children(cycle, organisations) - 2
    assert f"còn {pending}/" in edit  # said before the button is pressed
    response = client.post(reverse("reports:report_edit", args=[report.pk]), data, follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    warnings = [str(m) for m in response.context["messages"]]
    assert any(f"còn {pending}/" in m and "chưa được tiếp nhận" in m for m in warnings)


def test_children_table_lists_every_child_with_its_status(
    cycle, organisations, children, reporter, grassroots_reporter, district_reviewer, client_for
):
    returned = submitted_report(cycle, organisations["TV-HCL-XDAIPHUC"], grassroots_reporter)
    report_return(report=returned, comment="Bổ sung số liệu", actor=district_reviewer)
    make_report(cycle, organisations["TV-HCL-XBINHPHU"], grassroots_reporter)
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    page = client_for(district_reviewer).get(report.get_absolute_url())
    rows = {row.organisation.code: row for row in page.context["children"].rows}
    assert len(rows) == expected_children(cycle, organisations)
    assert {code: rows[code].status_label for code in rows if rows[code].report} == {
        CHILD_A: "Đã tiếp nhận",
        CHILD_B: "Đã tiếp nhận",
        CHILD_C: "Đã gửi",
        "TV-HCL-XDAIPHUC": "Bị trả lại",
        "TV-HCL-XBINHPHU": "Đang soạn",
    }
    assert rows["TV-HCL-XTANAN"].status_label == "Chưa bắt đầu"
    html = page.content.decode()
    assert html.count("data-child=") == len(rows)
    # The committee's reviewer opens its children's reports from the table.
    assert children[CHILD_C].get_absolute_url() in html
    assert rows[CHILD_C].visible


def test_edit_and_report_pages_queries_do_not_grow_with_the_children(
    cycle, organisations, children, reporter, grassroots_reporter, reviewer, client_for
):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    # The committee's reporter on its form; the province's reviewer on its report page.
    pages = [
        (reporter, reverse("reports:report_edit", args=[report.pk])),
        (reviewer, report.get_absolute_url()),
    ]

    def count() -> list[int]:
        counts = []
        for user, url in pages:
            client = client_for(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    count()  # warm what is cached per process, not per request
    few = count()
    more = ["TV-HCL-XBINHPHU", "TV-HCL-XDAIPHUC", "TV-HCL-XDAIPHUOC", "TV-HCL-XDUCMY"]
    for code in more:
        make_report(cycle, organisations[code], grassroots_reporter)
    many = count()
    assert many == few
    assert max(many) <= 40
