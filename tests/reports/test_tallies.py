"""The running totals the rollup reads: kept exact through every transition, a stale
maximum recomputed, disagreements found and repaired, safe under concurrent transitions."""

import datetime as dt
import threading
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from organisations.models import Organisation, OrganisationKind
from reports.figures import tallies
from reports.figures.totals import indicator_totals
from reports.models import (
    AnnualReport,
    IndicatorTally,
    IndicatorValue,
    LevelTally,
    ReportStatus,
    TaskSection,
)
from reports.services.reports import report_accept, report_reopen, report_return, report_submit
from tasks.models import Aggregation, Indicator
from tests.conftest import needs
from tests.reports.factories import full_content, make_cycle, make_report, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "T3_ADMITTED"


@pytest.fixture(autouse=True)
def early_december():
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=ZONE), tick=False):
        yield


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026)


def submit(cycle, organisation, actor, value, level="good"):
    return submitted_report(cycle, organisation, actor, figures={CODE: value}, level=level)


def stored(cycle, status):
    row = IndicatorTally.objects.filter(cycle=cycle, status=status, indicator__code=CODE).first()
    return (row.total, row.count) if row else None


def levels(cycle, status, level):
    return sum(
        LevelTally.objects.filter(cycle=cycle, status=status, level=level).values_list(
            "count", flat=True
        )
    )


def problems_key(cycle):
    indicator = Indicator.objects.get(plan=cycle.plan, code=CODE)
    province = Organisation.objects.get(code="TV-TU")  # where Càng Long's report goes
    return (province.pk, indicator.pk, ReportStatus.ACCEPTED.value)


def total(cycle, **kwargs):
    return indicator_totals(cycle, **kwargs).by_code()[CODE]


def test_each_transition_moves_the_report_between_totals(
    cycle, organisations, reporter, other_reporter, reviewer
):
    hcl = submit(cycle, organisations["TV-HCL"], reporter, 7)
    hck = submit(cycle, organisations["TV-HCK"], other_reporter, 5, level="fair")
    assert stored(cycle, ReportStatus.SUBMITTED) == (Decimal(12), 2)
    assert stored(cycle, ReportStatus.ACCEPTED) is None
    assert levels(cycle, ReportStatus.SUBMITTED, "good") == 7  # seven tasks of a district
    assert total(cycle).value is None
    assert total(cycle, include_submitted=True).value == Decimal(12)

    report_accept(report=hcl, actor=reviewer)
    assert stored(cycle, ReportStatus.SUBMITTED) == (Decimal(5), 1)
    assert stored(cycle, ReportStatus.ACCEPTED) == (Decimal(7), 1)
    assert levels(cycle, ReportStatus.SUBMITTED, "good") == 0
    assert levels(cycle, ReportStatus.ACCEPTED, "good") == 7
    assert total(cycle).value == Decimal(7)

    report_return(report=hck, comment="Bổ sung số liệu", actor=reviewer)
    assert stored(cycle, ReportStatus.SUBMITTED) == (Decimal(0), 0)
    assert levels(cycle, ReportStatus.SUBMITTED, "fair") == 0
    assert total(cycle, include_submitted=True).value == Decimal(7)

    hcl = report_reopen(report=AnnualReport.objects.get(pk=hcl.pk), reason="Sửa", actor=reviewer)
    assert stored(cycle, ReportStatus.ACCEPTED) == (Decimal(0), 0)
    assert total(cycle, include_submitted=True).value is None
    assert tallies.differences(cycle) == []

    # Corrected and sent again: counted once, with the new figure.
    content = full_content(hcl)
    content.figures[CODE] = Decimal(9)
    report_submit(report=hcl, content=content, version=hcl.version, actor=reporter)
    assert stored(cycle, ReportStatus.SUBMITTED) == (Decimal(9), 1)
    assert tallies.differences(cycle) == []


def test_a_draft_being_edited_is_never_counted(cycle, organisations, reporter):
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    IndicatorValue.objects.filter(report=report).update(value=4)
    assert not IndicatorTally.objects.filter(cycle=cycle).exists()
    assert total(cycle, include_submitted=True).value is None
    assert tallies.differences(cycle) == []


def test_a_maximum_whose_report_leaves_is_recomputed(
    cycle, plan, organisations, reporter, other_reporter, reviewer
):
    Indicator.objects.filter(plan=plan, code=CODE).update(aggregation=Aggregation.MAX)
    small = report_accept(
        report=submit(cycle, organisations["TV-HCL"], reporter, 5), actor=reviewer
    )
    big = report_accept(
        report=submit(cycle, organisations["TV-HCK"], other_reporter, 9), actor=reviewer
    )
    assert total(cycle).value == Decimal(9)

    report_reopen(report=big, reason="Sửa số liệu", actor=reviewer)
    row = IndicatorTally.objects.get(
        cycle=cycle, status=ReportStatus.ACCEPTED, indicator__code=CODE
    )
    assert row.maximum_stale  # 9 left; the stored maximum can no longer be trusted
    assert total(cycle).value == Decimal(5)
    row.refresh_from_db()
    assert (row.maximum, row.maximum_stale) == (Decimal(5), False)

    report_reopen(report=small, reason="Sửa số liệu", actor=reviewer)
    row.refresh_from_db()
    assert (row.count, row.maximum, row.maximum_stale) == (0, None, False)
    assert total(cycle).value is None


def test_averages_divide_the_total_by_the_reports_that_gave_a_figure(
    cycle, plan, organisations, reporter, other_reporter, reviewer
):
    Indicator.objects.filter(plan=plan, code=CODE).update(aggregation=Aggregation.AVERAGE)
    report_accept(report=submit(cycle, organisations["TV-HCL"], reporter, 5), actor=reviewer)
    report_accept(report=submit(cycle, organisations["TV-HCK"], other_reporter, 8), actor=reviewer)
    assert total(cycle).value == Decimal("6.50")
    assert total(cycle).reports == 2


def test_disagreements_are_found_by_the_command_and_repaired_by_rebuild(
    cycle, organisations, reporter, reviewer
):
    report_accept(report=submit(cycle, organisations["TV-HCL"], reporter, 7), actor=reviewer)
    out = StringIO()
    call_command("tallies", stdout=out)
    assert "năm 2026: khớp." in out.getvalue()

    IndicatorTally.objects.filter(cycle=cycle, indicator__code=CODE).update(total=100)
    LevelTally.objects.filter(cycle=cycle).delete()
    problems = tallies.differences(cycle)
    wrong = [p for p in problems if p.startswith("chỉ tiêu")]
    assert len(wrong) == 1
    assert str(problems_key(cycle)) in wrong[0]
    assert "100" in wrong[0]
    assert len(problems) == 1 + 7  # one indicator total, seven tasks' levels
    with pytest.raises(CommandError, match="--rebuild"):
        call_command("tallies", stdout=StringIO())

    out = StringIO()
    call_command("tallies", "--rebuild", "--year", "2026", stdout=out)
    assert "đã tính lại" in out.getvalue()
    assert tallies.differences(cycle) == []
    assert total(cycle).value == Decimal(7)


def test_the_migration_addresses_reports_and_fills_totals_per_committee(
    cycle, organisations, reporter, other_reporter, reviewer
):
    from importlib import import_module

    address_reports = import_module("reports.migrations.0005_reporting_lines").address_reports
    report_accept(report=submit(cycle, organisations["TV-HCL"], reporter, 7), actor=reviewer)
    submit(cycle, organisations["TV-HCK"], other_reporter, 5)
    AnnualReport.objects.update(reports_to=None)
    IndicatorTally.objects.all().delete()
    LevelTally.objects.all().delete()
    address_reports(apps, None)
    assert set(AnnualReport.objects.values_list("reports_to__code", flat=True)) == {"TV-TU"}
    assert tallies.differences(cycle) == []
    assert stored(cycle, ReportStatus.SUBMITTED) == (Decimal(5), 1)


def test_bulk_loaded_reports_are_counted_after_a_rebuild(cycle, plan, organisations):
    report = AnnualReport.objects.create(
        cycle=cycle,
        organisation=organisations["TV-HCL"],
        reports_to=organisations["TV-TU"],  # bulk loads address their reports themselves
        status=ReportStatus.ACCEPTED,
        first_submitted_at=dt.datetime(2026, 12, 1, tzinfo=ZONE),
        last_submitted_at=dt.datetime(2026, 12, 1, tzinfo=ZONE),
    )
    indicator = Indicator.objects.get(plan=plan, code=CODE)
    IndicatorValue.objects.create(report=report, indicator=indicator, value=3)
    TaskSection.objects.create(report=report, task=indicator.task, level="good")
    assert tallies.differences(cycle) != []
    tallies.rebuild(cycle)
    assert tallies.differences(cycle) == []
    assert total(cycle).value == Decimal(3)


def figure(i: int) -> int:
    return 3 + i % 6  # within the plan's rules for the other figures of full_content


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_of_one_cycle_neither_deadlock_nor_lose_a_figure(
    transactional_db, plan, reviewer
):
    """Twelve districts submitted; four threads at once accept, return and reopen them."""
    needs(connection.vendor == "postgresql", "cần PostgreSQL để chạy nhiều luồng cùng lúc")
    from organisations.models import Role
    from tests.conftest import make_user

    cycle = make_cycle(plan, reviewer, year=2026)
    districts = Organisation.objects.bulk_create(
        Organisation(code=f"C-{i}", name=f"Huyện ủy {i}", kind=OrganisationKind.DISTRICT_COMMITTEE)
        for i in range(12)
    )
    reports = [
        submit(cycle, org, make_user(f"r{i}", organisation=org, role=Role.REPORTER), figure(i))
        for i, org in enumerate(districts)
    ]
    barrier = threading.Barrier(4)
    errors = []

    def work(mine):
        try:
            barrier.wait(timeout=10)
            for i, report in mine:
                if i % 3 == 0:
                    report_return(report=report, comment="Bổ sung", actor=reviewer)
                else:
                    accepted = report_accept(report=report, actor=reviewer)
                    if i % 3 == 1:
                        report_reopen(report=accepted, reason="Sửa", actor=reviewer)
        except Exception as exc:  # a deadlock would surface here
            errors.append(exc)
        finally:
            connection.close()

    indexed = list(enumerate(reports))
    threads = [threading.Thread(target=work, args=(indexed[k::4],)) for k in range(4)]
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=ZONE), tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors, errors
    assert tallies.differences(cycle) == []
    accepted = sum(figure(i) for i in range(12) if i % 3 == 2)
    assert stored(cycle, ReportStatus.ACCEPTED) == (Decimal(accepted), 4)
    assert stored(cycle, ReportStatus.SUBMITTED) == (Decimal(0), 0)
