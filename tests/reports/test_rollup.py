"""The provincial rollup of a plan for leaders: who may read it, its totals, levels,
comparisons and trends, its exports and its query budget."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from organisations.models import Organisation
from reports.dashboards.rollup_lines import SHOWN
from reports.documents.spreadsheets import EXCEL_CSV, MACHINE_CSV, _csv_text
from reports.figures import tallies
from reports.figures.definitions import cycle_figures
from reports.figures.totals import indicator_totals
from reports.models import AnnualReport, IndicatorValue, ReportStatus, TaskSection
from reports.services.reports import report_accept
from tasks.models import Indicator, Plan
from tests.reports.factories import (
    full_content,
    make_cycle,
    make_report,
    province_pk,
    saved_report,
    submitted_report,
)
from tests.reports.printing import assert_prints, column_widths

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.datetime(2027, 1, 20, 9, tzinfo=ZONE)
FIRST = "T1_POLITICAL_THEORY_TRAINED"  # the plan's first indicator
SECOND = "T1_PARTY_WORK_TRAINED"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def submit(cycle, organisation, actor, *, figures=None, levels=None, accept=False):
    with time_machine.travel(at(dt.date(cycle.year, 12, 1)), tick=False):
        report = submitted_report(cycle, organisation, actor, figures=figures, levels=levels)
        if accept:
            report = report_accept(report=report, actor=actor)
        return report


def rollup_url(plan, **params):
    url = reverse("reports:rollup", args=[plan.code])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def export_url(plan, fmt, **params):
    url = reverse("reports:rollup_export", args=[plan.code, fmt])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def years(plan, reviewer, organisations):
    """2025: Càng Long and Cầu Kè accepted. 2026: Càng Long and Đảng ủy Khối Cơ quan accepted,
    Cầu Kè submitted (not yet accepted), Châu Thành still drafting a large figure."""
    old = make_cycle(plan, reviewer, year=2025)
    new = make_cycle(plan, reviewer, year=2026)
    org = organisations
    reports = {
        "old_hcl": submit(old, org["TV-HCL"], reviewer, figures={FIRST: 40}, accept=True),
        "old_hck": submit(old, org["TV-HCK"], reviewer, figures={FIRST: 40}, accept=True),
        "hcl": submit(
            new,
            org["TV-HCL"],
            reviewer,
            figures={FIRST: 50, SECOND: 2},
            levels={3: "fair"},
            accept=True,
        ),
        "dukcq": submit(
            new, org["TV-DUKCQ"], reviewer, figures={FIRST: 40, SECOND: 1}, accept=True
        ),
        "hck": submit(new, org["TV-HCK"], reviewer, figures={FIRST: 20}, levels={1: "average"}),
    }
    with time_machine.travel(at(dt.date(2026, 12, 1)), tick=False):
        draft = make_report(new, org["TV-HCT"], reviewer)
        content = full_content(draft)
        content.figures[FIRST] = Decimal(1000)
        reports["hct"] = saved_report(new, org["TV-HCT"], reviewer, content=content)
    return {"old": old, "new": new, **reports}


def get(client, url):
    return client.get(url)


# Who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "reviewer", "admin_user"])
def test_leaders_reviewers_and_administrators_read_the_rollup(
    request, client_for, plan, years, persona
):
    client = client_for(request.getfixturevalue(persona))
    response = get(client, rollup_url(plan))
    assert response.status_code == 200
    assert "Tổng hợp thực hiện Kế hoạch số 112-KH/TU năm 2026" in response.content.decode()
    assert get(client, export_url(plan, "xlsx")).status_code == 200


@pytest.mark.parametrize("persona", ["reporter", "other_reporter", "body_reporter"])
def test_reporters_who_can_read_the_plan_are_refused_the_rollup(
    request, client_for, plan, years, persona
):
    client = client_for(request.getfixturevalue(persona))
    assert get(client, plan.get_absolute_url()).status_code == 200
    assert get(client, rollup_url(plan)).status_code == 403
    assert get(client, export_url(plan, "xlsx")).status_code == 403
    assert get(client, export_url(plan, "csv")).status_code == 403


def test_unknown_plan_is_not_found(client_for, leader, plan):
    client = client_for(leader)
    assert get(client, reverse("reports:rollup", args=["khong-co"])).status_code == 404


def test_the_rollup_answers_only_get_and_its_exports_get_and_post(client_for, leader, plan, years):
    client = client_for(leader)
    assert client.post(rollup_url(plan)).status_code == 405
    for url in (export_url(plan, "xlsx"), export_url(plan, "csv")):
        # The page's buttons post; a small file comes at once either way.
        assert client.post(url).status_code == 200
        assert client.put(url).status_code == 405


def test_an_unknown_export_format_is_not_found(client_for, leader, plan, years):
    for fmt in ("pdf", "ods", "json"):
        assert get(client_for(leader), export_url(plan, fmt)).status_code == 404


# The year and the basis ------------------------------------------------------------------------


def test_latest_year_is_shown_by_default_and_others_on_request(client_for, leader, plan, years):
    client = client_for(leader)
    assert get(client, rollup_url(plan)).context["rollup"].cycle == years["new"]
    older = get(client, rollup_url(plan, nam=2025)).context["rollup"]
    assert older.cycle == years["old"]
    assert older.previous is None
    # A year with no cycle, or no year at all, falls back to the latest one.
    for nam in ("2019", "abc", ""):
        assert get(client, rollup_url(plan, nam=nam)).context["rollup"].cycle == years["new"]


def test_page_says_which_reports_are_counted_and_offers_the_switch(client_for, leader, plan, years):
    client = client_for(leader)
    html = get(client, rollup_url(plan)).content.decode()
    assert "Số liệu tính trên các báo cáo đã được tiếp nhận." in html
    assert "tinh_ca_chua_duyet=1" in html
    html = get(client, rollup_url(plan, tinh_ca_chua_duyet=1)).content.decode()
    assert "Số liệu tính trên các báo cáo đã tiếp nhận và đã gửi (chưa tiếp nhận)." in html
    assert "Chỉ tính báo cáo đã tiếp nhận" in html


def test_totals_count_accepted_reports_unless_asked_to_include_submitted(
    client_for, leader, plan, years
):
    client = client_for(leader)
    accepted = get(client, rollup_url(plan)).context["rollup"]
    by_code = accepted.totals.by_code()
    assert by_code[FIRST].value == 90  # 50 + 40; Cầu Kè waits, Châu Thành's draft never counts
    assert by_code[FIRST].previous == 80
    assert by_code[FIRST].reports == 2
    expected = indicator_totals(years["new"], previous=years["old"])
    assert [(r.indicator.code, r.value, r.previous) for r in accepted.totals.rows] == [
        (r.indicator.code, r.value, r.previous) for r in expected.rows
    ]
    submitted = get(client, rollup_url(plan, tinh_ca_chua_duyet=1)).context["rollup"]
    assert submitted.include_submitted
    assert submitted.totals.by_code()[FIRST].value == 110
    assert submitted.totals.by_code()[FIRST].reports == 3


def test_changes_are_written_with_their_sign(client_for, leader, plan, years):
    response = get(client_for(leader), rollup_url(plan))
    lines = {line.indicator.code: line for line in response.context["rollup"].lines}
    assert (lines[FIRST].change_text, lines[FIRST].change_percent_text) == ("+10", "+12,5%")
    # 3 + 3 = 6 in 2025, 2 + 1 = 3 in 2026.
    assert (lines[SECOND].change_text, lines[SECOND].change_percent_text) == ("−3", "−50,0%")
    html = response.content.decode()
    assert "+12,5%" in html
    assert "−50,0%" in html


def test_indicators_are_grouped_by_task(client_for, leader, plan, years):
    rollup = get(client_for(leader), rollup_url(plan)).context["rollup"]
    assert [block.task.number for block in rollup.tasks] == [1, 2, 3, 4, 5, 6, 7]
    for block in rollup.tasks:
        assert {line.indicator.task_id for line in block.lines} <= {block.task.pk}
    assert len(rollup.lines) == Indicator.objects.filter(plan=plan).count()


# Levels, comparison, trends ------------------------------------------------------------------


def test_levels_per_task_count_only_counted_reports(client_for, leader, plan, years):
    client = client_for(leader)
    blocks = get(client, rollup_url(plan)).context["rollup"].tasks
    levels = {b.task.number: {lv.key: lv.count for lv in b.levels} for b in blocks}
    assert levels[1] == {"good": 2, "fair": 0, "average": 0, "poor": 0}
    assert levels[3] == {"good": 1, "fair": 1, "average": 0, "poor": 0}
    assert levels[7] == {"good": 2, "fair": 0, "average": 0, "poor": 0}
    blocks = get(client, rollup_url(plan, tinh_ca_chua_duyet=1)).context["rollup"].tasks
    assert {lv.key: lv.count for lv in blocks[0].levels}["average"] == 1


def test_each_task_links_to_every_counted_organisations_section(client_for, leader, plan, years):
    response = get(client_for(leader), rollup_url(plan))
    first = response.context["rollup"].tasks[0]
    assert {link.organisation for link in first.sections} == {
        "Huyện ủy Càng Long",
        "ĐU Khối Cơ quan",
    }
    url = f"{years['hcl'].get_absolute_url()}#nhiem-vu-1"
    assert url in {link.url for link in first.sections}
    assert url in response.content.decode()


def test_organisations_are_compared_on_the_chosen_indicator(client_for, leader, plan, years):
    client = client_for(leader)
    rollup = get(client, rollup_url(plan)).context["rollup"]
    assert rollup.indicator.code == FIRST
    assert [(r.organisation.code, r.value) for r in rollup.comparison] == [
        ("TV-HCL", 50),
        ("TV-DUKCQ", 40),
    ]
    response = get(client, rollup_url(plan, chi_tieu=SECOND, tinh_ca_chua_duyet=1))
    rollup = response.context["rollup"]
    assert rollup.indicator.code == SECOND
    assert [(r.organisation.code, r.value) for r in rollup.comparison] == [
        ("TV-HCK", 3),
        ("TV-HCL", 2),
        ("TV-DUKCQ", 1),
    ]
    assert response.context["comparison_chart"]["datasets"][0]["data"] == [3, 2, 1]
    # An unknown indicator falls back to the first.
    assert get(client, rollup_url(plan, chi_tieu="NOPE")).context["rollup"].indicator.code == FIRST


def test_trend_over_years_of_the_indicator_and_of_the_rates(client_for, leader, plan, years):
    response = get(client_for(leader), rollup_url(plan))
    trend = response.context["rollup"].trend
    assert [p.cycle.year for p in trend] == [2025, 2026]
    assert [p.value for p in trend] == [80, 90]
    assert [p.figures for p in trend] == [cycle_figures(years["old"]), cycle_figures(years["new"])]
    assert response.context["trend_chart"]["datasets"][0]["data"] == [80, 90]
    rates = response.context["rates_chart"]["datasets"]
    assert rates[0]["data"] == [
        float(cycle_figures(c).completeness) for c in (years["old"], years["new"])
    ]
    assert [p.completeness_text for p in trend] == ["14,3%", "21,4%"]  # 2 ÷ 14, 3 ÷ 14


def test_page_links_to_the_yearly_summary_and_the_dashboard(client_for, leader, plan, years):
    html = get(client_for(leader), rollup_url(plan)).content.decode()
    assert reverse("reports:summary_detail", args=[years["new"].pk]) in html
    assert reverse("reports:dashboard", args=[years["new"].pk]) in html


def test_charts_have_data_blocks_and_tables(client_for, leader, plan, years):
    html = get(client_for(leader), rollup_url(plan)).content.decode()
    for chart in (
        "bieu-do-muc-danh-gia",
        "bieu-do-so-sanh",
        "bieu-do-xu-huong",
        "bieu-do-ty-le-nam",
    ):
        assert f'id="{chart}" type="application/json"' in html
        assert f'data-chart="{chart}"' in html
    assert html.count("Bảng số liệu của biểu đồ") == 4
    assert "style=" not in html


def test_a_plan_without_cycles_shows_a_friendly_empty_state(client_for, leader, plan):
    client = client_for(leader)
    response = get(client, rollup_url(plan))
    assert response.status_code == 200
    assert response.context["rollup"] is None
    assert "Kế hoạch này chưa có kỳ báo cáo nào." in response.content.decode()
    assert "chart.umd.min.js" not in response.content.decode()
    assert get(client, export_url(plan, "xlsx")).status_code == 404


# Exports ----------------------------------------------------------------------------------------


def open_xlsx(response):
    return load_workbook(io.BytesIO(response.content))


def test_xlsx_indicator_sheet_equals_the_page(client_for, leader, plan, years):
    client = client_for(leader)
    rollup = get(client, rollup_url(plan)).context["rollup"]
    response = get(client, export_url(plan, "xlsx"))
    disposition = response["Content-Disposition"]
    assert 'filename="tong-hop-112-KH-TU-2026.xlsx"' in disposition
    assert "filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p" in disposition
    workbook = open_xlsx(response)
    assert workbook.sheetnames == ["Chỉ tiêu", "Theo đơn vị"]
    sheet = workbook["Chỉ tiêu"]
    assert sheet["A1"].value == (
        "Tổng hợp kết quả thực hiện năm 2026 — Kế hoạch số 112-KH/TU — báo cáo gửi Tỉnh ủy Trà Vinh"
    )
    assert sheet["A2"].value == "Số liệu tính trên các báo cáo đã được tiếp nhận."
    header = [c.value for c in sheet[4]]
    assert header == [
        "Nhiệm vụ",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Năm 2026",
        "Năm 2025",
        "Tăng, giảm",
        "Tăng, giảm (%)",
        "Số báo cáo có số liệu",
        "Mã chỉ tiêu",
    ]
    assert sheet.freeze_panes == "C5"
    lines = {row[-1]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert len(lines) == len(rollup.lines)
    for line in rollup.lines:
        row = lines[line.indicator.code]
        total = line.total
        assert row[0] == line.indicator.task.number
        assert row[1] == line.indicator.name
        assert row[3] == (None if total.value is None else float(total.value))
        assert row[4] == (None if total.previous is None else float(total.previous))
        assert row[5] == (None if total.change is None else float(total.change))
        if total.change_percent is None:
            assert row[6] is None
        else:
            assert row[6] == pytest.approx(float(total.change_percent) / 100)
        assert row[7] == total.reports
    first = next(r for r in sheet.iter_rows(min_row=5) if r[-1].value == FIRST)
    assert isinstance(first[3].value, int)
    assert first[3].number_format == "#,##0"
    assert first[6].number_format == "+0.0%;-0.0%;0.0%"
    assert first[5].number_format.startswith("+")
    assert all(c.font.name == "Times New Roman" and c.font.size == 12 for c in first)
    assert all(c.font.bold for c in sheet[4])
    assert column_widths(sheet, 2)[1] >= 40


def test_xlsx_follows_the_year_and_the_basis(client_for, leader, plan, years):
    client = client_for(leader)
    sheet = open_xlsx(get(client, export_url(plan, "xlsx", nam=2026, tinh_ca_chua_duyet=1)))
    lines = {row[-1]: row for row in sheet["Chỉ tiêu"].iter_rows(min_row=5, values_only=True)}
    assert lines[FIRST][3] == 110
    assert "đã gửi (chưa tiếp nhận)" in sheet["Chỉ tiêu"]["A2"].value
    older = open_xlsx(get(client, export_url(plan, "xlsx", nam=2025)))["Chỉ tiêu"]
    assert older["A1"].value.startswith("Tổng hợp kết quả thực hiện năm 2025")
    assert [c.value for c in older[4]][4] == "Năm trước"


def test_xlsx_organisation_sheet_has_each_counted_reports_figures(client_for, leader, plan, years):
    sheet = open_xlsx(get(client_for(leader), export_url(plan, "xlsx")))["Theo đơn vị"]
    header = [c.value for c in sheet[4]]
    indicators = list(Indicator.objects.filter(plan=plan).order_by("task__number", "position"))
    assert header[:2] == ["STT", "Đơn vị"]
    assert header[2].startswith(indicators[0].name)
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    dukcq = "Đảng ủy Khối Cơ quan Dân chính Đảng tỉnh"
    assert set(rows) == {"Huyện ủy Càng Long", dukcq}
    assert rows["Huyện ủy Càng Long"][2] == 50
    assert rows[dukcq][2] == 40
    assert sheet.freeze_panes == "C5"


def test_xlsx_and_csv_write_formula_like_names_as_inert_text(client_for, leader, plan, years):
    Organisation.objects.filter(code="TV-HCL").update(name='=HYPERLINK("http://evil.example")')
    Indicator.objects.filter(plan=plan, code=FIRST).update(name="+cmd|' /C calc'!A0\x01")
    client = client_for(leader)
    workbook = load_workbook(io.BytesIO(get(client, export_url(plan, "xlsx")).content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = [cell.value for cell in cells]
    assert '\'=HYPERLINK("http://evil.example")' in values
    assert "'+cmd|' /C calc'!A0" in values
    first = next(row for row in workbook["Chỉ tiêu"].iter_rows() if row[-1].value == FIRST)
    assert (first[3].value, first[3].data_type) == (90, "n")

    lines = list(csv.reader(io.StringIO(get(client, export_url(plan, "csv")).content.decode())))
    first = next(line for line in lines if line[-1] == FIRST)
    assert first[1] == "'+cmd|' /C calc'!A0"
    assert first[3:8] == ["90", "80", "10", "12.5", "2"]


def test_excel_csv_is_semicolon_separated_with_decimal_commas(client_for, leader, plan, years):
    """Excel under Vietnamese regional settings splits on ";" and reads "12,5" as 12.5."""
    client = client_for(leader)
    response = get(client, export_url(plan, "excel.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tong-hop-112-KH-TU-2026.excel.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert not text.startswith("sep=")  # Excel would then ignore the byte-order mark
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:3] == ["Nhiệm vụ", "Chỉ tiêu", "Đơn vị tính"]
    assert lines[0][-1] == "Mã chỉ tiêu"
    machine = list(csv.reader(io.StringIO(get(client, export_url(plan, "csv")).content.decode())))
    assert len(lines) == len(machine)
    first = next(line for line in lines if line[-1] == FIRST)
    assert first[3:8] == ["90", "80", "10", "12,5", "2"]


def test_csv_numbers_in_each_dialect():
    assert _csv_text(Decimal("-94.8"), EXCEL_CSV) == "-94,8"
    assert _csv_text(Decimal("-94.8"), MACHINE_CSV) == "-94.8"
    assert _csv_text(Decimal("1512.00"), EXCEL_CSV) == "1512"
    assert _csv_text(Decimal("1234567.25"), EXCEL_CSV) == "1234567,25"
    assert _csv_text("-94.8", EXCEL_CSV) == "'-94.8"  # typed text stays inert text


def test_pages_offer_the_workbook_and_both_csv_files(client_for, leader, plan, years):
    html = get(client_for(leader), rollup_url(plan)).content.decode()
    assert "Tải Excel" in html
    assert "Tải CSV cho Excel" in html
    assert "CSV cho máy (dấu phẩy, dấu chấm thập phân)" in html
    assert html.index("Tải Excel") < html.index("Tải CSV cho Excel")


def test_csv_is_utf8_with_bom_and_the_indicator_rows(client_for, leader, plan, years):
    client = client_for(leader)
    rollup = get(client, rollup_url(plan)).context["rollup"]
    response = get(client, export_url(plan, "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tong-hop-112-KH-TU-2026.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Nhiệm vụ", "Chỉ tiêu"]
    assert lines[0][-1] == "Mã chỉ tiêu"
    assert [line[-1] for line in lines[1:]] == [line.indicator.code for line in rollup.lines]
    first = next(line for line in lines if line[-1] == FIRST)
    assert first[3:8] == ["90", "80", "10", "12.5", "2"]


# Query budget ----------------------------------------------------------------------------------


def add_reports(cycle, count: int):
    """Many districts with accepted reports, figures for task 1 and self-assessed levels."""
    start = Organisation.objects.filter(code__startswith=f"X-{cycle.year}-").count()
    province = province_pk()
    added = Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{cycle.year}-{i}",
            name=f"Huyện ủy {i}",
            kind="district_committee",
            parent_id=province,
        )
        for i in range(start, start + count)
    )
    now = at(dt.date(cycle.year, 12, 1))
    reports = AnnualReport.objects.bulk_create(
        AnnualReport(
            cycle=cycle,
            organisation=org,
            reports_to_id=province,
            status=ReportStatus.ACCEPTED,
            first_submitted_at=now,
            last_submitted_at=now,
            submission_count=1,
        )
        for org in added
    )
    task = cycle.plan.tasks.get(number=1)
    TaskSection.objects.bulk_create(
        TaskSection(report=r, task=task, results="Kết quả", level="good") for r in reports
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=r, indicator=indicator, value=Decimal(i % 7))
        for i, r in enumerate(reports)
        for indicator in task.indicators.all()
    )
    tallies.rebuild(cycle)  # written in bulk around the services, as generate_scale does


@pytest.mark.parametrize("fmt", [None, "xlsx", "csv"])
def test_query_count_does_not_grow_with_organisations(
    client_for, leader, plan, years, django_assert_max_num_queries, fmt
):
    client = client_for(leader)
    url = export_url(plan, fmt) if fmt else rollup_url(plan)
    add_reports(years["new"], 3)
    add_reports(years["old"], 3)
    with django_assert_max_num_queries(60) as small:
        assert get(client, url).status_code == 200
    add_reports(years["new"], 200)
    add_reports(years["old"], 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = get(client, url)
    if fmt is None:  # the first SHOWN compared and listed, every one counted
        rollup = response.context["rollup"]
        assert len(rollup.comparison) == SHOWN
        assert rollup.compared == 2 + 203
        assert rollup.compared_more == 2 + 203 - SHOWN
        values = [row.value for row in rollup.comparison]
        assert values == sorted(values, reverse=True)
        first = rollup.tasks[0]
        assert len(first.sections) == SHOWN
        assert first.reports == 2 + 203
        assert first.rated == 2 + 203
        assert f"và {2 + 203 - SHOWN} đơn vị khác" in response.content.decode()
        assert f"{SHOWN} đơn vị có số liệu lớn nhất trong số {2 + 203}" in response.content.decode()


def test_plan_rollup_reads_only_its_own_plan(client_for, leader, plan, years, organisations):
    other = Plan.objects.create(
        code="99-KH-TU", number="99-KH/TU", title="Kế hoạch khác", issuer=organisations["TV-TU"]
    )
    response = get(client_for(leader), rollup_url(other))
    assert response.status_code == 200
    assert response.context["rollup"] is None


def test_xlsx_prints_on_a4_landscape_with_names_not_codes(client_for, leader, plan, years):
    workbook = open_xlsx(get(client_for(leader), export_url(plan, "xlsx")))
    indicators = workbook["Chỉ tiêu"]
    printed = assert_prints(indicators, header_row=4, title=indicators["A1"].value)
    # The indicators' table fits one page across; its codes follow, outside the print.
    assert printed["pages_across"] == 1
    assert printed["header"][:2] == ["Nhiệm vụ", "Chỉ tiêu"]
    assert indicators.cell(row=4, column=len(printed["header"]) + 1).value == "Mã chỉ tiêu"
    assert indicators.cell(row=5, column=len(printed["header"]) + 1).value == FIRST
    names = [row[1] for row in indicators.iter_rows(min_row=5, values_only=True)]
    assert printed["widths"][1] >= min(max(len(name) for name in names), 60)
    # Forty indicators side by side go onto pages across, each starting with the units.
    by_unit = workbook["Theo đơn vị"]
    printed = assert_prints(by_unit, header_row=4)
    assert printed["pages_across"] > 1
    assert by_unit.print_title_cols == "$A:$B"
    units = [row[1] for row in by_unit.iter_rows(min_row=5, values_only=True)]
    # Wide enough for the longest name, up to the column's bound (longer names wrap).
    assert printed["widths"][1] >= min(max(len(unit) for unit in units), 40)
