"""The benchmark's hand-written SQL (bench/bare.py) returns the figures the dashboard and
the rollup show: otherwise the ratio `make bench` prints would compare a page with a
query that does something else."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from bench import bare
from organisations.models import Organisation
from reports.dashboards.rollup import plan_cycles
from reports.services.cycles import cycle_close
from reports.services.reports import report_accept, report_return
from tests.conftest import needs
from tests.reports.factories import make_cycle, make_report, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=ZONE)


@pytest.fixture
def years(plan, reviewer, organisations):
    """2025 closed: two accepted, one late. 2026 open: accepted, submitted late, returned,
    a draft, nothing from the rest; one committee closed after submitting."""
    needs(connection.vendor == "postgresql", "cần PostgreSQL: SQL viết tay của bench")
    org = organisations
    with time_machine.travel(at(2025, 1, 5), tick=False):
        old = make_cycle(plan, reviewer, year=2025)
    for code, day in (("TV-HCL", at(2025, 12, 1)), ("TV-HCK", at(2025, 12, 30))):
        report_accept(report=submitted_report(old, org[code], reviewer, when=day), actor=reviewer)
    submitted_report(old, org["TV-DUKCQ"], reviewer, when=at(2025, 12, 2))
    with time_machine.travel(at(2026, 1, 5), tick=False):
        cycle_close(cycle=old, actor=reviewer)
        new = make_cycle(plan, reviewer, year=2026)
    report_accept(
        report=submitted_report(new, org["TV-HCL"], reviewer, when=at(2026, 12, 1)),
        actor=reviewer,
    )
    submitted_report(new, org["TV-HCK"], reviewer, when=at(2026, 12, 20))
    returned = submitted_report(new, org["TV-DUKCQ"], reviewer, when=at(2026, 12, 3))
    report_return(report=returned, comment="Bổ sung.", actor=reviewer)
    make_report(new, org["TV-HCT"], reviewer)
    submitted_report(new, org["TV-HTC"], reviewer, when=at(2026, 11, 1))
    Organisation.objects.filter(code="TV-HTC").update(valid_to=dt.date(2026, 11, 30))
    return old, new


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(at(2027, 1, 20), tick=False):
        yield


def test_the_dashboards_bare_sql_returns_the_pages_figures_and_rows(client_for, reviewer, years):
    _old, new = years
    response = client_for(reviewer).get(reverse("reports:dashboard", args=[new.pk]))
    shown = response.context["figures"]
    with connection.cursor() as cursor:
        figures, rows = bare.dashboard(cursor, bare.parameters(new))
    assert figures == bare.Figures(
        shown.expected,
        shown.actual,
        shown.on_time,
        shown.accepted,
        shown.submitted,
        shown.returned,
        shown.draft,
    )
    assert (figures.actual, figures.accepted, figures.returned, figures.draft) == (4, 1, 1, 1)
    assert figures.actual > figures.on_time  # the late one counted as late
    page = response.context["rows"]
    assert len(rows) == len(page) == shown.expected  # one page holds them all
    assert {row[0] for row in rows} == {row.organisation.pk for row in page}
    overdue = [row.organisation.pk for row in page if row.overdue]
    assert [row[0] for row in rows[: len(overdue)]] == sorted(
        overdue, key=lambda pk: next(r[1] for r in rows if r[0] == pk)
    )


def test_the_rollups_bare_sql_returns_the_pages_totals_and_trend(client_for, leader, plan, years):
    old, new = years
    rollup = client_for(leader).get(reverse("reports:rollup", args=[plan.code])).context["rollup"]
    with connection.cursor() as cursor:
        totals, trend = bare.rollup(cursor, bare.parameters(new, cycles=plan_cycles(plan)))
    for line in rollup.totals.rows:
        if line.indicator.aggregation != "sum":
            continue
        assert totals.get((new.pk, line.indicator.pk)) == line.value
        assert totals.get((old.pk, line.indicator.pk)) == line.previous
    assert any(line.value for line in rollup.totals.rows)
    for point in rollup.trend:
        figures = point.figures
        assert trend[point.cycle.pk] == (figures.expected, figures.actual, figures.on_time)
