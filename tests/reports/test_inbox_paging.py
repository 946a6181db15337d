"""The inbox's pages follow one another by cursor (reports.keyset): together they list
every report once, in the order the inbox always had, forward and back, with its filters;
a cursor that is not one of ours shows the first page; page 1 and the last page cost the
same number of queries with a hundred reports as with hundreds."""

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.db import connection
from django.db.models import Case, Value, When
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.ordering import usual_order
from reports.models import AnnualReport, ReportStatus
from reports.selectors import inbox_for
from reports.views.review import INBOX_PAGE
from tasks.models import Plan
from tests.reports.factories import make_cycle, more_districts, province_pk

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
STATUSES = [
    ReportStatus.SUBMITTED,
    ReportStatus.RETURNED,
    ReportStatus.DRAFT,
    ReportStatus.ACCEPTED,
]
LINK = re.compile(r'href="(\?[^"]*)" rel="(next|prev)"')


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026)


def add_reports(cycles, count: int, *, statuses=STATUSES) -> None:
    """``count`` more district committees addressed to the province, with a report in each
    cycle, the statuses taken in turn. Names repeat every seven, so rows whose sort keys
    are equal but for the code meet at every page boundary."""
    added = more_districts(count, names_every=7)
    sent = dt.datetime(2026, 12, 1, 9, tzinfo=ZONE)
    AnnualReport.objects.bulk_create(
        AnnualReport(
            cycle=cycle,
            organisation=org,
            reports_to_id=province_pk(),
            status=status,
            first_submitted_at=None if status == ReportStatus.DRAFT else sent,
            last_submitted_at=None if status == ReportStatus.DRAFT else sent,
        )
        for cycle in cycles
        for org, status in zip(added, (statuses * count)[:count], strict=True)
    )


def order_before_cursors(user, **filters) -> list[int]:
    """The inbox's order as it was when it was paged by number: the newest cycle first,
    what waits first, the usual order (and the report's id where all else is equal)."""
    queue = Case(
        When(status=ReportStatus.SUBMITTED, then=Value(0)),
        When(status=ReportStatus.RETURNED, then=Value(1)),
        When(status=ReportStatus.DRAFT, then=Value(2)),
        default=Value(3),
    )
    reports = inbox_for(user, **filters).annotate(queue=queue)
    ordered = reports.order_by("-cycle__due_on", "queue", *usual_order("organisation__"), "pk")
    return list(ordered.values_list("pk", flat=True))


def links(response) -> dict[str, str]:
    """The pager's links, by rel, as paths."""
    found = LINK.findall(response.content.decode())
    return {rel: reverse("reports:inbox") + html.unescape(href) for href, rel in found}


def walk(client, url: str, rel: str = "next") -> list:
    responses = [client.get(url)]
    while rel in links(responses[-1]):
        responses.append(client.get(links(responses[-1])[rel]))
    return responses


def shown(response) -> list[int]:
    assert response.status_code == 200
    return [report.pk for report in response.context["page"]]


def test_pages_list_every_report_once_in_the_order_the_inbox_always_had(
    client_for, reviewer, cycle
):
    add_reports([cycle], 2 * INBOX_PAGE + 23)
    client = client_for(reviewer)
    pages = walk(client, reverse("reports:inbox"))
    expected = order_before_cursors(reviewer, cycle_id=cycle.pk)
    assert [len(shown(p)) for p in pages] == [INBOX_PAGE, INBOX_PAGE, 23]
    assert [pk for page in pages for pk in shown(page)] == expected
    assert shown(pages[0]) == expected[:INBOX_PAGE]  # page 1 as before
    assert [p.context["page"].number for p in pages] == [1, 2, 3]
    assert "Trang 2</span>" in pages[1].content.decode()


def test_previous_links_walk_back_through_the_same_pages(client_for, reviewer, cycle):
    add_reports([cycle], 3 * INBOX_PAGE + 7)
    client = client_for(reviewer)
    forward = walk(client, reverse("reports:inbox"))
    back = walk(client, links(forward[-2])["next"], rel="prev")
    assert [shown(p) for p in reversed(back)] == [shown(p) for p in forward]
    assert "prev" not in links(back[-1])  # the first page, reached without a cursor
    assert "trang=" not in links(forward[1])["prev"]


def test_every_year_lists_one_organisations_reports_of_two_plans_due_the_same_day(
    client_for, reviewer, plan, cycle
):
    other = Plan.objects.create(
        code="kh-khac", number="999-KH/TU", title="Kế hoạch khác", issuer=plan.issuer
    )
    twin = make_cycle(other, reviewer, year=2026, due=cycle.due_on)
    last_year = make_cycle(plan, reviewer, year=2025)
    # Every organisation has a report in both plans: their sort keys are equal but for
    # the report, on every page boundary.
    add_reports([cycle, twin], INBOX_PAGE + 11, statuses=[ReportStatus.SUBMITTED])
    add_reports([last_year], 20)
    client = client_for(reviewer)
    pages = walk(client, reverse("reports:inbox") + "?cycle=tat-ca")
    listed = [pk for page in pages for pk in shown(page)]
    assert listed == order_before_cursors(reviewer)
    assert len(listed) == len(set(listed)) == 2 * (INBOX_PAGE + 11) + 20
    assert all("cycle=tat-ca" in url for url in links(pages[1]).values())


def test_filters_hold_on_every_page(client_for, reviewer, cycle):
    add_reports([cycle], 4 * INBOX_PAGE + 20)
    client = client_for(reviewer)
    url = reverse("reports:inbox") + "?status=draft&unit=M%E1%BA%ABu"
    pages = walk(client, url)
    listed = [pk for page in pages for pk in shown(page)]
    assert listed == order_before_cursors(
        reviewer, cycle_id=cycle.pk, status=ReportStatus.DRAFT, unit="Mẫu"
    )
    assert len(listed) == INBOX_PAGE + 5
    assert {r.status for p in pages for r in p.context["page"]} == {ReportStatus.DRAFT}
    assert "status=draft" in links(pages[0])["next"]


@pytest.mark.parametrize(
    "cursor",
    [
        "3",  # a page number, as the inbox's links once carried
        "abc",
        "",
        signing.Signer(salt="another").sign_object(
            [0, 2, [0, 0], [1, "Huyện ủy Mẫu 1", "X-0001", 1]]
        ),
        signing.Signer(salt="reports.inbox.v1").sign_object([0, 2, [0], [1]]),
        "x" * 5000,
    ],
    ids=["page-number", "garbage", "empty", "another-list", "wrong-shape", "too-long"],
)
def test_a_cursor_that_is_not_ours_shows_the_first_page(client_for, reviewer, cycle, cursor):
    add_reports([cycle], INBOX_PAGE + 5)
    client = client_for(reviewer)
    first = shown(client.get(reverse("reports:inbox")))
    response = client.get(reverse("reports:inbox"), {"trang": cursor})
    assert shown(response) == first
    assert response.context["page"].number == 1


def test_an_edited_cursor_shows_the_first_page(client_for, reviewer, cycle):
    add_reports([cycle], 2 * INBOX_PAGE + 5)
    client = client_for(reviewer)
    first = client.get(reverse("reports:inbox"))
    cursor = first.context["page"].next
    edited = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    response = client.get(reverse("reports:inbox"), {"trang": edited})
    assert shown(response) == shown(first)


@pytest.mark.parametrize("deep", [False, True])
def test_page_one_and_the_last_page_take_as_many_queries_at_either_size(
    client_for, reviewer, cycle, django_assert_num_queries, deep
):
    client = client_for(reviewer)

    def page_url() -> str:
        if not deep:
            return reverse("reports:inbox")
        return links(walk(client, reverse("reports:inbox"))[-2])["next"]

    # Submitted reports only: the last page reads the other three statuses too.
    add_reports([cycle], 2 * INBOX_PAGE + 20, statuses=[ReportStatus.SUBMITTED])
    url = page_url()
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    queries = len(small)  # read now: the next request empties the connection's log
    assert len(shown(response)) == (20 if deep else INBOX_PAGE)
    add_reports([cycle], 6 * INBOX_PAGE, statuses=[ReportStatus.SUBMITTED])
    url = page_url()
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert len(shown(response)) == (20 if deep else INBOX_PAGE)
    assert response.context["page"].number == (9 if deep else 1)
