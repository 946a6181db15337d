"""The synthetic-data generator behind the benchmarks writes believable, consistent data."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from organisations.models import Organisation
from reports.figures.definitions import cycle_figures
from reports.models import AnnualReport, IndicatorValue, ReportingCycle, ReportStatus, TaskSection
from tasks.models import Indicator


@pytest.fixture
def generated(plan):
    call_command("generate_scale", orgs=60, years=2, seed=7, stdout=io.StringIO())
    return plan


def test_generator_creates_organisations_cycles_and_reports_in_scope(generated):
    synthetic = Organisation.objects.filter(code__startswith="SC-")
    assert synthetic.count() == 60
    assert set(synthetic.values_list("kind", flat=True)) <= {
        "district_committee",
        "affiliated_committee",
    }
    cycles = list(ReportingCycle.objects.filter(plan=generated).order_by("year"))
    assert len(cycles) == 2
    assert cycles[-1].is_open
    assert not cycles[0].is_open
    for cycle in cycles:
        figures = cycle_figures(cycle)
        assert figures.expected >= 57  # a few synthetic organisations closed or started late
        assert 0 < figures.actual <= figures.expected
        assert figures.on_time <= figures.actual


def test_every_report_is_consistent_with_its_status(generated):
    reports = AnnualReport.objects.filter(organisation__code__startswith="SC-")
    assert set(reports.values_list("status", flat=True)) >= {
        ReportStatus.ACCEPTED,
        ReportStatus.SUBMITTED,
        ReportStatus.DRAFT,
    }
    for report in reports.select_related("cycle"):
        if report.status == ReportStatus.DRAFT:
            assert report.first_submitted_at is None
        else:
            assert report.first_submitted_at is not None
            assert report.last_submitted_at >= report.first_submitted_at
        if report.status == ReportStatus.ACCEPTED:
            assert report.accepted_at >= report.last_submitted_at
        tasks = generated.tasks.count()
        assert TaskSection.objects.filter(report=report).count() == tasks
        assert (
            IndicatorValue.objects.filter(report=report).count()
            == Indicator.objects.filter(plan=generated).count()
        )


def test_figures_satisfy_every_validation_rule_and_sent_reports_are_complete(generated):
    rules = list(generated.rules.all())
    reports = AnnualReport.objects.filter(organisation__code__startswith="SC-").prefetch_related(
        "values__indicator", "sections"
    )
    for report in reports:
        values = {v.indicator.code: v.value for v in report.values.all()}
        for rule in rules:
            assert rule.holds(values) is not False, (report.pk, str(rule))
        if report.status != ReportStatus.DRAFT:
            assert None not in values.values()
            assert all(s.results and s.level for s in report.sections.all())


def test_generator_refuses_to_run_twice_on_the_same_database(generated):
    with pytest.raises(CommandError, match="Đã có dữ liệu giả lập"):
        call_command("generate_scale", orgs=5, years=1)
    assert Organisation.objects.filter(code__startswith="SC-").count() == 60


def test_generator_refuses_in_production(plan, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate_scale", orgs=5, years=1)
    assert not Organisation.objects.filter(code__startswith="SC-").exists()
