"""The API's status list pages by cursor (reports.keyset) unless `offset` is given: the
pages reached through `next` list every row once in the list's order, `previous` walks
them back, `offset` paging answers what it always did, a bad cursor is a 400 that says
why, the answers conform to the OpenAPI document, and the first and the last page cost
the same number of queries with a few organisations as with hundreds."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openapi_schema_validator import OAS30Validator

from reports.api.pagination import KeysetPagination
from reports.figures.definitions import cycle_figures
from reports.models import AnnualReport, ReportStatus
from tests.reports.factories import make_cycle, more_districts, province_pk

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
AFTER_DUE = dt.datetime(2026, 12, 25, 9, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(AFTER_DUE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


def add_districts(cycle, count: int) -> None:
    """More district committees under the province, their names repeating every five (so
    sort keys are equal but for the code across page boundaries); every third has
    submitted (so it is not overdue), the rest have not."""
    added = more_districts(count, names_every=5)
    sent = dt.datetime(2026, 12, 10, 10, tzinfo=ZONE)
    AnnualReport.objects.bulk_create(
        AnnualReport(
            cycle=cycle,
            organisation=org,
            reports_to_id=province_pk(),
            status=ReportStatus.SUBMITTED,
            first_submitted_at=sent,
            last_submitted_at=sent,
            submission_count=1,
        )
        for org in added[::3]
    )


def url_of(cycle) -> str:
    return reverse("api:cycle-status", args=[cycle.pk])


def codes(answer: dict) -> list[str]:
    return [row["organisation"]["code"] for row in answer["results"]]


def follow(client, answer: dict, link: str) -> list[dict]:
    answers = [answer]
    while answers[-1][link]:
        response = client.get(answers[-1][link])
        assert response.status_code == 200, response.content
        answers.append(response.json())
    return answers


def test_next_links_list_every_row_once_in_the_lists_order(client_for, cycle, reviewer):
    add_districts(cycle, 130)
    client = client_for(reviewer)
    whole = client.get(url_of(cycle), {"offset": 0, "limit": 500}).json()
    expected = cycle_figures(cycle).expected
    assert whole["count"] == len(whole["results"]) == expected
    pages = follow(client, client.get(url_of(cycle), {"limit": 25}).json(), "next")
    assert [code for page in pages for code in codes(page)] == codes(whole)
    assert [len(page["results"]) for page in pages[:-1]] == [25] * (len(pages) - 1)
    assert all(page["count"] == expected for page in pages)
    query = parse_qs(urlsplit(pages[0]["next"]).query)
    assert set(query) == {"limit", "cursor"}
    assert query["limit"] == ["25"]
    assert pages[0]["previous"] is None
    assert pages[-1]["next"] is None
    overdue = [row["overdue"] for page in pages for row in page["results"]]
    assert overdue == sorted(overdue, reverse=True)
    assert len(set(overdue)) == 2


def test_previous_links_walk_the_same_pages_back(client_for, cycle, reviewer):
    add_districts(cycle, 130)
    client = client_for(reviewer)
    forward = follow(client, client.get(url_of(cycle), {"limit": 30}).json(), "next")
    back = follow(client, forward[-1], "previous")
    assert [codes(page) for page in reversed(back)] == [codes(page) for page in forward]
    assert "cursor" not in forward[1]["previous"]  # the first page needs none


def test_offset_paging_answers_as_it_always_did(client_for, cycle, reviewer):
    add_districts(cycle, 130)
    client = client_for(reviewer)
    whole = codes(client.get(url_of(cycle), {"offset": 0, "limit": 500}).json())
    page = client.get(url_of(cycle), {"offset": 40, "limit": 20}).json()
    assert codes(page) == whole[40:60]
    assert parse_qs(urlsplit(page["next"]).query) == {"offset": ["60"], "limit": ["20"]}
    assert parse_qs(urlsplit(page["previous"]).query) == {"offset": ["20"], "limit": ["20"]}


def parameter_error(client, cycle, **params) -> list[str]:
    response = client.get(url_of(cycle), params)
    assert response.status_code == 400
    components = client.get(reverse("api:schema") + "?format=json").json()["components"]
    error = {"$ref": "#/components/schemas/ParameterError", "components": components}
    OAS30Validator(error).validate(response.json())
    return response.json()["cursor"]


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "x" * 3000,
        signing.Signer(salt=KeysetPagination.salt).sign_object([0, 2, [], ["TV-HCL"]]),
        signing.Signer(salt="reports.inbox.v1").sign_object([0, 2, [], [0, 1, "a", "b", 1]]),
    ],
    ids=["garbage", "too-long", "wrong-shape", "the-inboxs"],
)
def test_a_bad_cursor_is_refused_with_a_400_that_says_why(client_for, cycle, reviewer, cursor):
    add_districts(cycle, 10)
    [message] = parameter_error(client_for(reviewer), cycle, cursor=cursor)
    assert "“cursor” không hợp lệ" in message


def test_a_cursor_and_an_offset_together_are_refused(client_for, cycle, reviewer):
    client = client_for(reviewer)
    cursor = client.get(url_of(cycle), {"limit": 2}).json()["next"]
    token = parse_qs(urlsplit(cursor).query)["cursor"][0]
    [message] = parameter_error(client, cycle, cursor=token, offset=2)
    assert message == "Dùng “cursor” hoặc “offset”, không dùng cả hai."


def test_a_cursor_made_before_the_due_day_is_refused_after_it(client_for, cycle, reviewer, today):
    # Before the due day nothing is overdue and the order has one term less.
    add_districts(cycle, 10)
    client = client_for(reviewer)
    today.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=ZONE))
    early = client.get(url_of(cycle), {"limit": 3}).json()["next"]
    today.move_to(AFTER_DUE)
    assert client.get(early).status_code == 400


def test_pages_conform_to_the_openapi_document(client_for, cycle, reviewer):
    add_districts(cycle, 30)
    client = client_for(reviewer)
    components = client.get(reverse("api:schema") + "?format=json").json()["components"]
    validator = OAS30Validator(
        {"$ref": "#/components/schemas/PaginatedStatusRowList", "components": components}
    )
    pages = follow(client, client.get(url_of(cycle), {"limit": 20}).json(), "next")
    assert len(pages) == 3
    for page in pages:
        validator.validate(page)


def test_a_reporter_pages_its_own_row(client_for, cycle, reporter):
    add_districts(cycle, 30)
    answer = client_for(reporter).get(url_of(cycle), {"limit": 1}).json()
    assert (codes(answer), answer["count"], answer["next"]) == (["TV-HCL"], 1, None)


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_first_and_the_last_page_cost_as_many_queries_at_either_size(
    client_for, cycle, reviewer, django_assert_num_queries
):
    client = client_for(reviewer)
    first = f"{url_of(cycle)}?limit=20"
    client.get(first)  # the session, read once

    def last_page() -> str:
        return follow(client, client.get(first).json(), "next")[-2]["next"]

    add_districts(cycle, 46)
    small = {"first": query_count(client, first), "last": query_count(client, last_page())}
    assert small["first"] == small["last"]
    add_districts(cycle, 400)
    with django_assert_num_queries(small["first"]):
        answer = client.get(first).json()
    assert (len(answer["results"]), answer["previous"]) == (20, None)
    last = last_page()
    with django_assert_num_queries(small["last"]):
        answer = client.get(last).json()
    assert answer["next"] is None
    assert answer["previous"] is not None
