"""The synthetic-data generator behind the benchmarks writes believable, consistent data."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from organisations.models import Organisation
from reports.figures import tallies
from reports.figures.definitions import cycle_figures, expected_everywhere
from reports.models import AnnualReport, IndicatorValue, ReportingCycle, ReportStatus, TaskSection
from tasks.lines import nodes, plan_lines, target_of, top_node
from tasks.models import Indicator

# 60 grassroots in communes of 5: 12 communes over 3 first-level committees.
SHAPE = {"orgs": 60, "provinces": 3, "grassroots_per": 5}
# At each level (the breadcrumb and the rows' own levels included, and a reviewer's two for
# counting the late units of "Nhắc tất cả đơn vị chậm").
QUERIES_PER_DASHBOARD = 41


@pytest.fixture
def generated(plan):
    call_command("generate_scale", years=2, seed=7, stdout=io.StringIO(), **SHAPE)
    return plan


def test_generator_grows_a_tree_of_three_levels_with_reports_at_each(generated):
    top = top_node(generated).organisation
    synthetic = {o.pk: o for o in Organisation.objects.filter(code__startswith="SC-")}
    assert Counter(o.kind for o in synthetic.values()) == {
        "affiliated_committee": 3,
        "commune_committee": 12,
        "grassroots": 60,
    }
    children = Counter(o.parent_id for o in synthetic.values())
    for org in synthetic.values():
        # Depth: first level under the top, communes under it, grassroots under communes.
        depth, up = 1, org
        while up.parent_id != top.pk:
            up, depth = synthetic[up.parent_id], depth + 1
        assert (
            depth == {"affiliated_committee": 1, "commune_committee": 2, "grassroots": 3}[org.kind]
        )
        if org.kind == "affiliated_committee":
            assert children[org.pk] == 4  # communes spread evenly
            assert org.valid_to is None
        elif org.kind == "commune_committee":
            assert children[org.pk] == 5
            assert synthetic[org.parent_id].kind == "affiliated_committee"
    # The top's own organisations were there before; the tree hangs below it only.
    assert not Organisation.objects.filter(parent__code__startswith="SC-").exclude(
        code__startswith="SC-"
    )
    cycles = list(ReportingCycle.objects.filter(plan=generated).order_by("year"))
    assert len(cycles) == 2
    assert cycles[-1].is_open
    assert not cycles[0].is_open
    for cycle in cycles:
        figures = cycle_figures(cycle)  # the top's level: the three first-level committees
        assert figures.expected >= 3
        assert figures.on_time <= figures.actual <= figures.expected
        everywhere = expected_everywhere(cycle)
        # A few grassroots closed or started late; every committee is expected.
        assert 70 <= everywhere.filter(code__startswith="SC-").count() <= 75
        kinds = set(
            AnnualReport.objects.filter(
                cycle=cycle, organisation__code__startswith="SC-"
            ).values_list("organisation__kind", flat=True)
        )
        assert kinds == {"affiliated_committee", "commune_committee", "grassroots"}


def test_every_report_goes_to_its_committee_and_counts_in_its_totals(generated):
    lines = plan_lines(generated)
    reports = AnnualReport.objects.filter(organisation__code__startswith="SC-").select_related(
        "organisation__parent"
    )
    assert reports.count() > 100
    for report in reports:
        assert report.reports_to_id == report.organisation.parent_id
        assert report.reports_to_id == target_of(report.organisation, lines)
    # The running totals are kept per addressee and agree with the reports.
    for cycle in ReportingCycle.objects.filter(plan=generated):
        assert tallies.differences(cycle) == []
        communes = set(
            Organisation.objects.filter(
                code__startswith="SC-", kind="commune_committee"
            ).values_list("pk", flat=True)
        )
        keyed = set(cycle.indicator_tallies.values_list("node", flat=True))
        assert keyed & communes  # communes' totals are their own, not the top's
        for node in nodes(communes).values():
            addressed = AnnualReport.objects.filter(
                cycle=cycle,
                organisation__in=Organisation.objects.filter(
                    node.addressed_q(plan_lines(generated))
                ),
            )
            assert set(addressed.values_list("reports_to_id", flat=True)) <= {node.pk}


def test_submissions_are_on_time_against_their_own_levels_due_date(generated):
    past = ReportingCycle.objects.filter(plan=generated).order_by("year").first()
    sent = AnnualReport.objects.filter(
        cycle=past, organisation__code__startswith="SC-", first_submitted_at__isnull=False
    ).select_related("organisation", "cycle")
    grassroots = [r for r in sent if r.organisation.kind == "grassroots"]
    assert grassroots
    assert {r.due_on for r in grassroots} == {past.due_on_for("grassroots")}
    assert past.due_on_for("grassroots") < past.due_on
    # Late ones are late against their own day: none sent in the 15 days between the
    # grassroots' and the committees' due dates counts as on time.
    assert any(r.on_time for r in grassroots)
    assert any(not r.on_time for r in grassroots)
    for report in grassroots:
        if report.on_time:
            assert report.first_submitted_at <= past.deadline_for("grassroots")
        else:
            assert report.first_submitted_at > past.deadline_for("grassroots")
            assert report.first_submitted_at <= timezone.now()


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
    assert Organisation.objects.filter(code__startswith="SC-").count() == 75


def test_generator_refuses_in_production(plan, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate_scale", orgs=5, years=1)
    assert not Organisation.objects.filter(code__startswith="SC-").exists()


@pytest.mark.parametrize("code", ["", "SC-P000001", "SC-X000001"])
def test_dashboard_of_each_level_takes_as_many_queries_as_the_top(
    generated, client_for, reviewer, django_assert_max_num_queries, code
):
    """Each row's on-time mark reads its organisation's kind (its level's due date):
    the table and the history carry the organisations they show, so a level of many
    reporters costs no query per report."""
    cycle = ReportingCycle.objects.filter(plan=generated).order_by("-year").first()
    client = client_for(reviewer)
    url = reverse("reports:dashboard", args=[cycle.pk]) + (f"?don_vi={code}" if code else "")
    client.get(url)  # sessions and caches warmed
    with django_assert_max_num_queries(QUERIES_PER_DASHBOARD):
        response = client.get(url)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.node.organisation.code == (code or top_node(generated).organisation.code)
    below = {"SC-P000001": "commune_committee", "SC-X000001": "grassroots"}
    if code:  # the level below the node, with reports to mark on time or late
        assert {row.organisation.kind for row in board.rows} == {below[code]}
        assert any(row.report is not None and row.report.first_submitted_at for row in board.rows)
