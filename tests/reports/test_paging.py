"""Long lists paged in the database: the API's status list, the cycle page and the
sub-plan list show one page of organisations at a time, in the same order as a full
list would, with counts over every organisation, and cost the same number of queries
with a few organisations as with hundreds."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation
from organisations.ordering import usual_order
from reports.dashboards.export_rows import subplan_rows
from reports.figures.definitions import cycle_figures
from reports.models import AnnualReport, ReportStatus, SubPlan
from reports.paging import PAGE_SIZE, paginate
from tasks.models import Plan
from tests.reports.factories import make_cycle, more_districts, province_pk

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
TODAY = dt.datetime(2026, 12, 25, 9, tzinfo=ZONE)  # ten days after the due day
ADDED = 250


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def add_districts(cycle, count: int) -> list[Organisation]:
    """More district committees (they report, and issue a sub-plan): every third has
    submitted its report, the next one of each three is drafting, the rest have not
    started."""
    province = province_pk()
    added = more_districts(count)
    sent = at(dt.date(2026, 12, 10))
    AnnualReport.objects.bulk_create(
        [
            AnnualReport(
                cycle=cycle,
                organisation=org,
                reports_to_id=province,
                status=ReportStatus.SUBMITTED,
                first_submitted_at=sent,
                last_submitted_at=sent,
                submission_count=1,
            )
            for org in added[::3]
        ]
        + [AnnualReport(cycle=cycle, organisation=org) for org in added[1::3]]
    )
    return added


def register_subplans(plan, organisations, reporter, moment: dt.datetime) -> None:
    SubPlan.objects.bulk_create(
        SubPlan(
            plan=plan,
            organisation=org,
            number=f"{org.code}-KH",
            issued_on=moment.date(),
            registered_at=moment,
            file=f"subplans/{plan.pk}/{org.code}.pdf",
            original_name="kh.pdf",
            extension="pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            registered_by=reporter,
        )
        for org in organisations
    )


def query_count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


# The paging helpers ---------------------------------------------------------------------------


def test_pager_offers_the_ends_and_the_neighbours_with_gaps():
    def links(number, pages):
        return [n for n, _url in paginate(list(range(pages)), number, size=1).links]

    assert links(1, 1) == [1]
    assert links(1, 10) == [1, 2, 3, "…", 10]
    # Django's range never hides a single page behind a gap: 2 shows instead of "…".
    assert links(5, 10) == [1, 2, 3, 4, 5, 6, 7, "…", 10]
    assert links(6, 10) == [1, "…", 4, 5, 6, 7, 8, 9, 10]
    assert links(10, 10) == [1, "…", 8, 9, 10]


def test_pager_links_keep_the_filters_and_the_anchor():
    rows = list(range(100))
    pager = paginate(rows, 2, size=10, keep=(("loai", "district_committee"),))
    assert pager.url(3) == "?loai=district_committee&trang=3"
    assert dict(pager.links)["…"] == ""  # a gap is not a link
    other = paginate(rows, 1, size=10, parameter="trang_kh", keep=(("q", "Trà Vinh"),), anchor="a")
    assert other.url(2) == "?q=Tr%C3%A0+Vinh&trang_kh=2#a"


def test_paginate_counts_slices_and_clamps(organisations):
    rows = Organisation.objects.order_by("code")
    total = rows.count()
    codes = list(rows.values_list("code", flat=True))
    pager = paginate(rows, 1, size=10)
    assert [o.code for o in pager.page] == codes[:10]
    assert (pager.number, pager.total, pager.pages) == (1, total, -(-total // 10))
    pager = paginate(rows, 999, size=10)
    assert pager.number == pager.pages
    assert [o.code for o in pager.page] == codes[(pager.pages - 1) * 10 :]
    for asked in (-5, 0, None, "", "abc"):
        assert paginate(rows, asked, size=10).number == 1
    pager = paginate(rows.none(), 3)
    assert (list(pager.page), pager.number, pager.pages, pager.total) == ([], 1, 1, 0)


# The API's status list -------------------------------------------------------------------------


def test_api_status_pages_in_the_database_in_the_full_lists_order(client_for, cycle, reviewer):
    add_districts(cycle, ADDED)
    client = client_for(reviewer)
    url = reverse("api:cycle-status", args=[cycle.pk])
    everything = client.get(url, {"limit": 1000}).json()
    expected = cycle_figures(cycle).expected
    assert everything["count"] == len(everything["results"]) == expected
    overdue = [row["overdue"] for row in everything["results"]]
    assert overdue == sorted(overdue, reverse=True)  # overdue first across the whole list

    pages = [client.get(url, {"limit": 100, "offset": offset}).json() for offset in (0, 100, 200)]
    assert all(page["count"] == expected for page in pages)
    assert [len(page["results"]) for page in pages] == [100, 100, expected - 200]
    assert [row for page in pages for row in page["results"]] == everything["results"]
    assert pages[0]["results"] != pages[1]["results"]
    assert "offset=100" in pages[0]["next"]
    assert pages[2]["next"] is None
    beyond = client.get(url, {"limit": 100, "offset": 5000}).json()
    assert (beyond["count"], beyond["results"]) == (expected, [])


def test_api_status_query_count_does_not_grow_with_organisations(
    client_for, cycle, reviewer, reporter, django_assert_max_num_queries
):
    url = reverse("api:cycle-status", args=[cycle.pk])
    small = {}
    for user in (reviewer, reporter):
        client = client_for(user)
        client.get(url)  # warm the session
        small[user.pk] = query_count(client, url)
    add_districts(cycle, ADDED)
    for user in (reviewer, reporter):
        client = client_for(user)
        with django_assert_max_num_queries(small[user.pk]):
            data = client.get(url, {"limit": 100}).json()
        assert len(data["results"]) == (100 if user == reviewer else 1)


# The cycle page --------------------------------------------------------------------------------


def test_cycle_page_shows_one_page_overdue_first_and_counts_every_organisation(
    client_for, cycle, reviewer
):
    add_districts(cycle, ADDED)
    client = client_for(reviewer)
    url = reverse("reports:cycle_detail", args=[cycle.pk])
    figures = cycle_figures(cycle)
    first = client.get(url).context
    pager = first["pager"]
    assert (pager.number, pager.total) == (1, figures.expected)
    assert pager.pages == -(-figures.expected // PAGE_SIZE) == 3
    assert len(first["rows"]) == PAGE_SIZE

    # The counts over the table cover every organisation, not the page.
    assert first["expected"] == figures.expected
    assert first["counts"][ReportStatus.SUBMITTED] == figures.actual
    drafts = AnnualReport.objects.filter(cycle=cycle, status=ReportStatus.DRAFT).count()
    assert first["counts"][ReportStatus.DRAFT] == drafts
    assert first["missing"] == figures.expected - figures.actual - drafts

    pages = [client.get(url, {"trang": n}).context for n in (1, 2, 3)]
    shown = [row.organisation.code for page in pages for row in page["rows"]]
    assert len(shown) == len(set(shown)) == figures.expected
    assert {r.organisation.code for r in pages[0]["rows"]}.isdisjoint(
        r.organisation.code for r in pages[1]["rows"]
    )
    # The order a full list had: overdue (not submitted) first, then the usual order.
    flags = [row.overdue for page in pages for row in page["rows"]]
    assert flags == sorted(flags, reverse=True)
    overdue = [code for code, flag in zip(shown, flags, strict=True) if flag]
    in_order = Organisation.objects.filter(code__in=overdue).order_by(*usual_order())
    assert overdue == list(in_order.values_list("code", flat=True))
    assert len(pages[2]["rows"]) == figures.expected - 2 * PAGE_SIZE

    for asked, page in (("999", 3), ("0", 1), ("abc", 1)):
        assert client.get(url, {"trang": asked}).context["pager"].number == page
    html = client.get(url, {"trang": 2}).content.decode()
    assert 'href="?trang=3"' in html
    assert 'aria-current="page">2</a>' in html
    assert f"Trang 2/3 của {figures.expected} đơn vị" in html


def test_cycle_page_query_count_does_not_grow_with_organisations(
    client_for, cycle, reviewer, leader, reporter, django_assert_max_num_queries
):
    url = reverse("reports:cycle_detail", args=[cycle.pk])
    people = (reviewer, leader, reporter)
    small = {}
    for user in people:
        client = client_for(user)
        client.get(url)
        small[user.pk] = query_count(client, url)
    add_districts(cycle, ADDED)
    for user in people:
        client = client_for(user)
        with django_assert_max_num_queries(small[user.pk]):
            response = client.get(url, {"trang": 2})
        # A reporter's one row fits on one page, so page 2 clamps to it.
        assert len(response.context["rows"]) == (1 if user == reporter else PAGE_SIZE)


def test_reporters_cycle_page_has_its_own_row_and_no_pager(client_for, cycle, reporter):
    add_districts(cycle, ADDED)
    response = client_for(reporter).get(reverse("reports:cycle_detail", args=[cycle.pk]))
    assert [row.organisation.code for row in response.context["rows"]] == ["TV-HCL"]
    assert response.context["pager"].pages == 1
    assert "pagination" not in response.content.decode()


# The dashboard's pager -------------------------------------------------------------------------


def test_dashboard_pager_links_keep_the_filters(client_for, cycle, reviewer):
    add_districts(cycle, ADDED)
    url = reverse("reports:dashboard", args=[cycle.pk])
    response = client_for(reviewer).get(
        url, {"loai": "district_committee", "trang_thai": "missing"}
    )
    board = response.context["board"]
    assert board.pages > 1
    html = response.content.decode()
    assert 'href="?loai=district_committee&amp;trang_thai=missing&amp;trang=2"' in html


# The sub-plan list -----------------------------------------------------------------------------


def test_subplan_list_pages_each_plan_and_keeps_the_other_plans_page(
    client_for, cycle, plan, reviewer, reporter
):
    added = add_districts(cycle, ADDED)
    register_subplans(plan, added[:40], reporter, at(dt.date(2026, 3, 1)))
    other = Plan.objects.create(
        code="kh-khac", number="999-KH/TU", title="Kế hoạch khác", issuer=plan.issuer
    )
    client = client_for(reviewer)
    parameter = f"trang_{plan.code}"
    first = client.get(reverse("reports:subplan_list")).context["sections"][0]
    total = first.pager.total
    assert first.plan == plan
    assert total == first.expected_count == 14 + ADDED
    assert first.registered_count == 40
    assert len(first.rows) == PAGE_SIZE
    assert [row.organisation.code for row in first.rows] == sorted(
        row.organisation.code for row in first.rows
    )

    response = client.get(reverse("reports:subplan_list"), {parameter: 2, "trang_kh-khac": 1})
    second = response.context["sections"][0]
    assert second.pager.number == 2
    assert {r.organisation.code for r in first.rows}.isdisjoint(
        r.organisation.code for r in second.rows
    )
    html = response.content.decode()
    assert f'href="?trang_kh-khac=1&amp;{parameter}=3#ke-hoach-{plan.pk}"' in html
    assert response.context["sections"][1].plan == other

    last = client.get(reverse("reports:subplan_list"), {parameter: 99}).context["sections"][0]
    assert last.pager.number == last.pager.pages == 3
    assert len(last.rows) == total - 2 * PAGE_SIZE
    registered = {row.organisation.code for row in last.rows + first.rows if row.subplan}
    assert registered <= {org.code for org in added[:40]}


def test_buckets_name_fifty_organisations_and_count_the_rest(client_for, cycle, plan, reviewer):
    plan.subplans_due = dt.date(2026, 6, 30)  # past: every missing sub-plan is overdue
    plan.save(update_fields=["subplans_due"])
    province = province_pk()
    Organisation.objects.bulk_create(
        Organisation(
            code=f"Y-{i:04d}", name=f"Đảng ủy xã {i}", kind="district_committee", parent_id=province
        )
        for i in range(1100)
    )
    client = client_for(reviewer)
    board = client.get(reverse("reports:dashboard", args=[cycle.pk])).context["board"]
    overdue = next(b for b in board.subplans.buckets if b.key == "overdue")
    assert overdue.count == 14 + 1100
    assert len(overdue.organisations) == 50
    assert overdue.more == 1064
    codes = [org.code for org in overdue.organisations]
    expected_codes = Organisation.objects.filter(
        kind__in=["district_committee", "affiliated_committee"]
    ).order_by(*usual_order())
    assert codes == list(expected_codes.values_list("code", flat=True)[:50])
    # The page names 50 per bucket; the spreadsheet lists every one.
    assert sum(1 for _ in subplan_rows(board)) == 14 + 1100

    # The buckets load after the page, in a panel of their own.
    panel = reverse("reports:dashboard_panel", args=[cycle.pk, "ke-hoach"])
    dashboard = client.get(panel, headers={"HX-Request": "true"}).content.decode()
    assert "và 1.064 đơn vị khác (xem danh sách)" in dashboard
    assert ">1.114</span>" in dashboard
    listing = client.get(reverse("reports:subplan_list")).content.decode()
    assert "và 1.064 đơn vị khác" in listing
