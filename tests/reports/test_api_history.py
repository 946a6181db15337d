"""GET /api/v1/organisations/<code>/history/: a successor's line with its predecessors'
years, under the names they had, limited to what the caller may read."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.change_plans import Decision, NewOrganisation
from organisations.services import organisation_merge
from reports.services.reports import report_accept
from tests.reports.factories import make_cycle, submitted_report


def history(client, code):
    response = client.get(reverse("api:organisation-history", args=[code]))
    return response.status_code, response.json()


def test_a_merged_committee_lists_its_predecessors_years_under_their_names(
    client_for, plan, organisations, reviewer, reporter, other_reporter, admin_user
):
    past = make_cycle(plan, reviewer, year=2025)
    report_accept(report=submitted_report(past, organisations["TV-HCL"], reporter), actor=reviewer)
    submitted_report(past, organisations["TV-HCK"], other_reporter)
    change = organisation_merge(
        sources=[organisations["TV-HCL"], organisations["TV-HCK"]],
        target=NewOrganisation(
            code="TV-HCLCK", name="Huyện ủy Càng Long - Cầu Kè", kind="district_committee"
        ),
        effective_on=dt.date(2026, 1, 1),
        decision=Decision(number="01-QĐ/TW"),
        actor=admin_user,
    )
    assert change.pk

    status, rows = history(client_for(reviewer), "TV-HCLCK")
    assert status == 200
    assert {(r["year"], r["organisation"]) for r in rows} == {(2025, "TV-HCL"), (2025, "TV-HCK")}
    names = {r["organisation"]: r["organisation_name"] for r in rows}
    assert names["TV-HCL"] == organisations["TV-HCL"].name
    assert all(r["predecessor"] for r in rows)
    assert {r["reports_to"] for r in rows} == {"TV-TU"}
    assert {r["status"] for r in rows} == {"accepted", "submitted"}


def test_a_reporter_reads_only_its_own_organisations_years(
    client_for, plan, organisations, reviewer, reporter, other_reporter
):
    past = make_cycle(plan, reviewer, year=2025)
    submitted_report(past, organisations["TV-HCL"], reporter)
    submitted_report(past, organisations["TV-HCK"], other_reporter)
    assert [r["organisation"] for r in history(client_for(reporter), "TV-HCL")[1]] == ["TV-HCL"]
    assert history(client_for(reporter), "TV-HCK")[1] == []
    assert history(client_for(reporter), "KHONG-CO")[0] == 404


def test_the_history_costs_the_same_queries_for_one_year_or_three(
    client_for, plan, organisations, reviewer, reporter
):
    client = client_for(reviewer)
    first = make_cycle(plan, reviewer, year=2024)
    submitted_report(first, organisations["TV-HCL"], reporter)
    client.get(reverse("api:organisation-history", args=["TV-HCL"]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("api:organisation-history", args=["TV-HCL"]))
    for year in (2025, 2026):
        submitted_report(make_cycle(plan, reviewer, year=year), organisations["TV-HCL"], reporter)
    with CaptureQueriesContext(connection) as three:
        rows = history(client, "TV-HCL")[1]
    assert len(rows) == 3
    assert len(three) == len(one)
