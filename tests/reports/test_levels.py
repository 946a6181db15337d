"""Dashboards, rollups, the inbox and the API at every level of the cascade: what each
level shows, where it links, and what it costs.

The costs are asserted at three depths (the province, a district, a grassroots
committee with chi bộ under it) and two breadths (5 and then 200 organisations reporting
to the committee shown): the number of queries must depend on neither."""

import datetime as dt
import io
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from organisations.models import Organisation, Role
from reports.figures.definitions import cycle_figures
from reports.models import AnnualReport, ReportStatus
from tasks.lines import node_of
from tests.conftest import make_user
from tests.reports.factories import make_cycle, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
TODAY = dt.datetime(2026, 12, 20, 9, 0, tzinfo=ZONE)
GRASSROOTS = "TV-HCL-XANTRUONG"

# The kind that reports to each depth's committee, as bulk-created children.
DEPTHS = {
    "TV-TU": ("TV-BTC", "district_committee"),
    "TV-HCL": ("TV-HCL", "grassroots"),
    GRASSROOTS: (GRASSROOTS, "cell"),
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def add_children(cycle, parent: Organisation, kind: str, count: int, prefix: str) -> None:
    """``count`` more organisations under ``parent``; every fifth has a submitted report
    addressed to it (so the inbox and the counts have rows to show)."""
    start = Organisation.objects.filter(code__startswith=prefix).count()
    added = Organisation.objects.bulk_create(
        Organisation(code=f"{prefix}{i:04d}", name=f"Đơn vị {i}", kind=kind, parent_id=parent.pk)
        for i in range(start, start + count)
    )
    sent = dt.datetime(2026, 11, 20, 9, 0, tzinfo=ZONE)
    AnnualReport.objects.bulk_create(
        AnnualReport(
            cycle=cycle,
            organisation=org,
            reports_to_id=parent.pk,
            status=ReportStatus.SUBMITTED,
            first_submitted_at=sent,
            last_submitted_at=sent,
            submission_count=1,
        )
        for org in added[::5]
    )


def pages(cycle, code: str) -> dict[str, str]:
    level = f"?don_vi={code}"
    return {
        "dashboard": reverse("reports:dashboard", args=[cycle.pk]) + level,
        "rollup": reverse("reports:rollup", args=[cycle.plan.code]) + level,
        "inbox": reverse("reports:inbox"),
        "api": reverse("api:cycle-status", args=[cycle.pk]) + f"?node={code}",
    }


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("page", ["dashboard", "rollup", "inbox", "api"])
def test_queries_grow_with_neither_depth_nor_breadth(
    client, cycle, organisations, grassroots_reporter, page
):
    # The grassroots committee has chi bộ of its own under it, so the district's rows
    # include a committee with a level below it.
    add_children(cycle, organisations[GRASSROOTS], "cell", 3, "CB-")
    measured = {}
    for code, (member, kind) in DEPTHS.items():
        user = make_user(f"reviewer-{code}", organisation=organisations[member], role=Role.REVIEWER)
        client.force_login(user)
        url = pages(cycle, code)[page]
        parent = organisations[code]
        add_children(cycle, parent, kind, 5, f"N-{code}-")
        narrow = queries(client, url)
        add_children(cycle, parent, kind, 195, f"N-{code}-")
        wide = queries(client, url)
        assert wide <= narrow, (page, code)
        measured[code] = narrow
    assert all(measured[code] <= BUDGETS[page][code] for code in DEPTHS), measured


# Measured on 30/11/2026, per depth (province, district, grassroots). The same at 5 and
# 200 organisations. Where depths differ, by named queries only: a lower committee's
# people read their subtree's line once (get_node_for_user, +1); a dashboard whose rows
# include committees counts their own levels in one aggregate (+1; the grassroots level
# lists chi bộ, none of them a committee); the inbox reads the cycles for its year filter,
# and its page one status at a time (reports.keyset: four when the page is not full);
# a reviewer's dashboard counts the level's late units for the bulk reminder (+2). The
# rollup reads last year's closed cycle, whose figures the first reading stores (+1 since
# 01/12/2026: reports.figures.closed; later readings take one query for every year).
BUDGETS = {
    "dashboard": {"TV-TU": 40, "TV-HCL": 41, GRASSROOTS: 39},
    "rollup": {"TV-TU": 26, "TV-HCL": 27, GRASSROOTS: 27},
    "inbox": {"TV-TU": 14, "TV-HCL": 14, GRASSROOTS: 14},
    "api": {"TV-TU": 13, "TV-HCL": 14, GRASSROOTS: 14},
}


# What each level shows ---------------------------------------------------------------------


def dashboard_url(cycle, code: str = "") -> str:
    url = reverse("reports:dashboard", args=[cycle.pk])
    return f"{url}?don_vi={code}" if code else url


def test_a_district_reviewer_sees_its_grassroots_only(
    client_for, cycle, organisations, district_reviewer
):
    response = client_for(district_reviewer).get(dashboard_url(cycle))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.node.organisation.code == "TV-HCL"
    rows = {row.organisation.code for row in board.rows}
    assert GRASSROOTS in rows
    hcl = organisations["TV-HCL"].pk
    assert all(row.organisation.parent_id == hcl for row in board.rows)
    assert "TV-HCK" not in rows


def test_another_districts_level_is_not_found(client_for, cycle, district_reviewer):
    client = client_for(district_reviewer)
    assert client.get(dashboard_url(cycle, "TV-HCK")).status_code == 404
    assert client.get(dashboard_url(cycle, "TV-TU")).status_code == 404
    rollup = reverse("reports:rollup", args=[cycle.plan.code])
    assert client.get(f"{rollup}?don_vi=TV-HCK").status_code == 404


def test_the_breadcrumb_links_only_what_the_user_reaches(
    client_for, cycle, organisations, reviewer, district_reviewer
):
    page = client_for(district_reviewer).get(dashboard_url(cycle, GRASSROOTS))
    crumbs = page.context["crumbs"]
    assert [(c.name, c.linked, c.current) for c in crumbs] == [
        ("Tỉnh ủy Trà Vinh", False, False),
        ("Huyện ủy Càng Long", True, False),
        (organisations[GRASSROOTS].name, False, True),
    ]
    html = page.content.decode()
    assert "?don_vi=TV-HCL" in html
    assert "?don_vi=TV-TU" not in html

    crumbs = client_for(reviewer).get(dashboard_url(cycle, "TV-HCL")).context["crumbs"]
    assert [(c.code, c.linked) for c in crumbs] == [("TV-TU", True), ("TV-HCL", False)]


def test_drill_down_numbers_equal_the_figures_of_the_level_below(
    client_for, cycle, organisations, reviewer, grassroots_reporter
):
    submitted_report(cycle, organisations[GRASSROOTS], grassroots_reporter)
    board = client_for(reviewer).get(dashboard_url(cycle)).context["board"]
    rows = {row.organisation.code: row for row in board.rows}
    hcl = rows["TV-HCL"]
    figures = cycle_figures(cycle, node_of(organisations["TV-HCL"]))
    assert hcl.below is not None
    assert (hcl.below.expected, hcl.below.actual) == (figures.expected, figures.actual)
    assert hcl.below.actual == 1
    assert hcl.below.text == f"1/{figures.expected} đã gửi"
    # A body without organisations reporting to it has no level of its own.
    assert rows["TV-DUKCQ"].below is None
    html = client_for(reviewer).get(dashboard_url(cycle)).content.decode()
    assert "?don_vi=TV-HCL" in html
    # Following the link shows exactly those organisations.
    drilled = client_for(reviewer).get(dashboard_url(cycle, "TV-HCL")).context["board"]
    assert drilled.figures == figures


def test_the_rollup_compares_the_level_with_the_level_below(
    client_for, cycle, organisations, reviewer, grassroots_reporter
):
    from reports.services.reports import report_accept

    report = submitted_report(cycle, organisations[GRASSROOTS], grassroots_reporter)
    assert report.reports_to_id == organisations["TV-HCL"].pk
    report_accept(
        report=report,
        actor=make_user("hcl", organisation=organisations["TV-HCL"], role=Role.REVIEWER),
    )
    rollup = (
        client_for(reviewer)
        .get(reverse("reports:rollup", args=[cycle.plan.code]))
        .context["rollup"]
    )
    assert rollup.has_below
    figures = {line.indicator.code: line for line in rollup.by_level}
    counted = [line for line in figures.values() if line.below_reports]
    assert counted, "the grassroots report counts in the district's level"
    assert all(line.below_reports == 1 for line in counted)
    assert all(line.own_reports == 0 for line in figures.values())


def test_exports_name_the_committee_they_cover(client_for, cycle, reviewer):
    client = client_for(reviewer)
    url = reverse("reports:dashboard_export", args=[cycle.pk, "csv"])
    response = client.get(f"{url}?don_vi=TV-HCL")
    assert response.status_code == 200
    assert 'filename="theo-doi-112-KH-TU-2026-tv-hcl.csv"' in response["Content-Disposition"]
    assert quote("Huyện ủy Càng Long") in response["Content-Disposition"]
    xlsx = reverse("reports:rollup_export", args=[cycle.plan.code, "xlsx"])
    sheet = load_workbook(io.BytesIO(client.get(f"{xlsx}?don_vi=TV-HCL").content)).active
    assert sheet["A1"].value.endswith("— báo cáo gửi Huyện ủy Càng Long")


def test_the_inbox_names_the_committee_and_filters_by_it(
    client_for, cycle, organisations, grassroots_reporter, reporter
):
    both = make_user("both", organisation=organisations["TV-HCL"], role=Role.REVIEWER)
    from organisations.models import Membership

    Membership.objects.create(user=both, organisation=organisations["TV-BTC"], role=Role.REVIEWER)
    submitted_report(cycle, organisations[GRASSROOTS], grassroots_reporter)
    submitted_report(cycle, organisations["TV-HCL"], reporter)
    client = client_for(both)
    page = client.get(reverse("reports:inbox"))
    assert {n.organisation.code for n in page.context["committees"]} == {"TV-TU", "TV-HCL"}
    html = page.content.decode()
    assert "Tỉnh ủy Trà Vinh" in html
    assert "Huyện ủy Càng Long" in html
    only = client.get(reverse("reports:inbox") + "?cap_uy=TV-HCL").context["page"]
    assert [r.organisation.code for r in only] == [GRASSROOTS]
