"""The dashboard's and the rollup's files written to a file handle (reports.documents.exports):
the rows stream from the database in a fixed number of queries, the writer pulls them as
it writes, and progress is told as it goes."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

import reports.documents.spreadsheets
from reports.dashboards.cycle import MISSING, cycle_dashboard
from reports.dashboards.rollup import plan_cycles, plan_rollup
from reports.documents.exports import (
    FORMATS,
    dashboard_row_count,
    rollup_row_count,
    write_dashboard_file,
    write_rollup_file,
)
from reports.documents.spreadsheets import dashboard_csv, dashboard_xlsx
from reports.figures import tallies
from reports.models import (
    AnnualReport,
    IndicatorValue,
    Reminder,
    ReminderStatus,
    ReportStatus,
)
from tests.reports.factories import make_cycle, more_districts, province_pk

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.datetime(2026, 12, 25, 9, tzinfo=ZONE)  # ten days after the due day
EXPECTED = 14  # 9 district-level and 5 affiliated committees (III.1)
HEADER_ROW = 6  # of the dashboard's first sheet: two title lines, the counts, a gap


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=dt.date(2026, 12, 15))


def add_districts(cycle, count: int) -> None:
    """More districts: every other one with an accepted report and figures for every
    indicator, every fifth with a reminder."""
    province = province_pk()
    added = more_districts(count)
    when = dt.datetime(2026, 12, 10, 10, tzinfo=ZONE)
    reports = AnnualReport.objects.bulk_create(
        AnnualReport(
            cycle=cycle,
            organisation=org,
            reports_to_id=province,
            status=ReportStatus.ACCEPTED,
            first_submitted_at=when,
            last_submitted_at=when,
            submission_count=1,
        )
        for org in added[::2]
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=report, indicator=indicator, value=Decimal(i % 5))
        for i, report in enumerate(reports)
        for indicator in cycle.plan.indicators.all()
    )
    Reminder.objects.bulk_create(
        Reminder(
            cycle=cycle, organisation=org, stage="due-7", status=ReminderStatus.SENT, sent_at=when
        )
        for org in added[1::5]
    )
    tallies.rebuild(cycle)  # written in bulk around the services, as generate_scale does


def written(fmt: str, write, *args) -> tuple[bytes, list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []
    out = io.BytesIO()
    write(*args, fmt, out, lambda done, total: calls.append((done, total)))
    return out.getvalue(), calls


def sheet_rows(content: bytes, sheet: str, first: int) -> list[tuple]:
    rows = load_workbook(io.BytesIO(content))[sheet].iter_rows(min_row=first, values_only=True)
    return [row for row in rows if row[0] is not None]


# The dashboard --------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "queries"), [("xlsx", 7), ("csv", 2), ("excel.csv", 2)])
def test_dashboard_files_read_their_rows_in_the_same_queries_for_few_and_many(
    cycle, django_assert_num_queries, fmt, queries
):
    # The count for progress and the table's rows (the plan's reporting scope was read
    # with the board, and is kept on the plan); for the workbook, the sub-plans' buckets
    # and their rows with the duties that ask for them.
    add_districts(cycle, 3)
    board = cycle_dashboard(cycle, page=None)
    with django_assert_num_queries(queries):
        small, _ = written(fmt, write_dashboard_file, board)
    add_districts(cycle, 200)
    board = cycle_dashboard(cycle, page=None)
    with django_assert_num_queries(queries):
        large, calls = written(fmt, write_dashboard_file, board)
    assert len(large) > len(small)
    assert calls[-1] == (EXPECTED + 203, EXPECTED + 203)


def test_the_dashboard_for_files_holds_no_rows_and_the_writer_pulls_each_as_it_writes(
    cycle, monkeypatch
):
    add_districts(cycle, 30)
    board = cycle_dashboard(cycle, page=None)
    assert board.rows == []
    assert board.pager is None

    pulled = [0]
    stream = reports.documents.spreadsheets.dashboard_rows

    def counting(board):
        for row in stream(board):
            pulled[0] += 1
            yield row

    monkeypatch.setattr(reports.documents.spreadsheets, "dashboard_rows", counting)
    monkeypatch.setattr(reports.documents.spreadsheets, "PROGRESS_EVERY", 4)
    seen: list[tuple[int, int, int]] = []
    write_dashboard_file(
        board, "xlsx", io.BytesIO(), lambda done, total: seen.append((done, total, pulled[0]))
    )
    total = EXPECTED + 30
    # Told every 4 rows, when exactly that many have been read: never the whole list first.
    assert [(done, pulled) for done, _, pulled in seen[:-1]] == [
        (n, n) for n in range(4, total + 1, 4)
    ]
    assert {t for _, t, _ in seen} == {total}
    assert seen[-1] == (total, total, total)


def test_dashboard_files_written_to_a_handle_are_the_downloads(cycle):
    add_districts(cycle, 12)
    board = cycle_dashboard(cycle, page=None)
    content, _ = written("csv", write_dashboard_file, board)
    assert content == dashboard_csv(board)
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(lines) == 1 + dashboard_row_count(board) == 1 + EXPECTED + 12

    content, _ = written("xlsx", write_dashboard_file, board)
    rows = sheet_rows(content, "Tình hình báo cáo", HEADER_ROW + 1)
    assert rows == sheet_rows(dashboard_xlsx(board), "Tình hình báo cáo", HEADER_ROW + 1)
    assert [row[0] for row in rows] == list(range(1, EXPECTED + 12 + 1))
    by_name = {row[1]: row for row in rows}
    assert by_name["Huyện ủy 0"][3] == "Đã tiếp nhận"
    assert by_name["Huyện ủy 0"][5] == dt.datetime(2026, 12, 10)
    assert by_name["Huyện ủy 1"][7] == dt.datetime(2026, 12, 10)  # its reminder
    assert by_name["Huyện ủy 1"][8] == "Đã gửi"


def test_a_filtered_dashboards_files_count_and_list_only_its_rows(cycle):
    add_districts(cycle, 10)
    board = cycle_dashboard(cycle, status=MISSING, page=None)
    assert dashboard_row_count(board) == EXPECTED + 5
    content, calls = written("xlsx", write_dashboard_file, board)
    sheet = load_workbook(io.BytesIO(content))["Tình hình báo cáo"]
    assert "đang lọc: 19 trên 24" in sheet["A3"].value
    names = [row[1] for row in sheet.iter_rows(min_row=HEADER_ROW + 2, values_only=True)]
    assert len(names) == EXPECTED + 5
    assert "Huyện ủy 0" not in names
    assert calls[-1] == (EXPECTED + 5, EXPECTED + 5)


def test_an_unknown_format_is_refused(cycle):
    with pytest.raises(ValueError, match="pdf"):
        write_dashboard_file(cycle_dashboard(cycle, page=None), "pdf", io.BytesIO())
    assert FORMATS == ("xlsx", "csv", "excel.csv")


# The rollup -----------------------------------------------------------------------------------


def rollup_of(plan):
    return plan_rollup(plan, plan_cycles(plan), year=2026)


@pytest.mark.parametrize("fmt", FORMATS)
def test_rollup_files_read_their_rows_in_the_same_queries_for_few_and_many(
    plan, cycle, django_assert_num_queries, fmt
):
    add_districts(cycle, 4)
    rollup = rollup_of(plan)
    # The workbook: the count for progress and the organisations' figures.
    queries = 2 if fmt == "xlsx" else 0
    with django_assert_num_queries(queries):
        small, calls = written(fmt, write_rollup_file, rollup)
    if fmt == "xlsx":
        assert calls[-1] == (2, 2)
    add_districts(cycle, 200)
    rollup = rollup_of(plan)
    with django_assert_num_queries(queries):
        large, calls = written(fmt, write_rollup_file, rollup)
    if fmt == "xlsx":
        assert len(large) > len(small)
        assert calls[-1] == (102, 102)
    else:
        assert calls[-1] == (len(rollup.lines), len(rollup.lines))


def test_the_rollup_workbook_lists_every_counted_organisation_with_its_figures(plan, cycle):
    add_districts(cycle, 9)
    rollup = rollup_of(plan)
    assert rollup_row_count(rollup) == 5
    content, _ = written("xlsx", write_rollup_file, rollup)
    sheet = load_workbook(io.BytesIO(content))["Theo đơn vị"]
    header_row = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "STT")
    rows = sheet_rows(content, "Theo đơn vị", header_row + 1)
    assert [row[1] for row in rows] == [f"Huyện ủy {i}" for i in (0, 2, 4, 6, 8)]
    for i, row in enumerate(rows):
        assert set(row[2:]) == {i % 5}  # every indicator's figure, in its column
