"""Fuzzing every input the project takes: the read-only API from its own OpenAPI schema
(schemathesis), and every form field and query parameter of the pages (hypothesis), NUL
and other control characters included. Whatever comes in, the answer is never a server
error. The runs are bounded so they fit in the ordinary test suite."""

import re

import pytest
import schemathesis
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plan112.matrix_common import PERSONAS
from tests.plan112.test_permission_matrix import MATRIX, world  # noqa: F401 (fixture)

BOUNDED = settings(
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: a failure here is always real
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
API_EXAMPLES = 100
PAGE_EXAMPLES = 120

# Inputs that have broken web applications before, next to hypothesis' own text.
NASTY = [
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\n",
    "\u202e",
    "\ud7ff",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "NaN",
    "%00",
    "../",
    "' OR 1=1 --",
    "<script>",
    " " * 300,
]
value = st.one_of(st.text(max_size=40), st.sampled_from(NASTY), st.integers().map(str))
# Query parameters the pages read, beyond the fields of their forms.
QUERY_NAMES = [
    *("plan", "year", "page", "trang", "q", "status", "sort", "organisation"),
    *("limit", "offset", "cursor"),
]
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)
SKIPPED = {"logout", "login", "health"}  # no form, or the sign-in lockout's own counting


def _no_server_error(client):
    # A raised exception is a 500 to a visitor: count it as one, with its input.
    client.raise_request_exception = False
    return client


# The API ---------------------------------------------------------------------------------


@pytest.fixture
def api_schema(client_for, reviewer):
    response = client_for(reviewer).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


def test_the_api_schema_lists_every_api_url(api_schema):
    operations = {op.ok().label for op in api_schema.get_all_operations()}
    assert operations == {
        "GET /api/v1/cycles/",
        "GET /api/v1/cycles/{id}/",
        "GET /api/v1/cycles/{id}/status/",
        "GET /api/v1/cycles/{id}/rollup/",
        "GET /api/v1/organisations/{code}/history/",
    }


def test_schemathesis_finds_no_server_error_in_the_api(client_for, reviewer, world, api_schema):  # noqa: F811
    client = _no_server_error(client_for(reviewer))
    cycle_pk = world["cycle"].pk
    operations = st.one_of([op.ok().as_strategy() for op in api_schema.get_all_operations()])
    seen = []

    @settings(BOUNDED, max_examples=API_EXAMPLES)
    @given(case=operations, real_cycle=st.booleans())
    def run(case, real_cycle):
        if real_cycle and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = cycle_pk  # reach the views, not only their 404
        response = client.get(case.formatted_path, case.query or {})
        seen.append((case.formatted_path, response.status_code))
        assert response.status_code < 500, (case.formatted_path, case.query)
        assert response.status_code != 200 or response["Content-Type"].startswith(
            "application/json"
        )

    run()
    assert len(seen) >= API_EXAMPLES // 2
    assert any(status == 200 for _, status in seen)  # not only refusals


def test_a_huge_api_limit_is_refused(client_for, reviewer, world):  # noqa: F811
    client = _no_server_error(client_for(reviewer))
    response = client.get("/api/v1/cycles/", {"limit": "99999999999999999999"})
    assert response.status_code in (200, 400)


def test_a_nul_in_the_api_plan_filter_is_refused(client_for, reviewer, world):  # noqa: F811
    client = _no_server_error(client_for(reviewer))
    response = client.get("/api/v1/cycles/", {"plan": "\x00"})
    assert response.status_code in (200, 400, 404)


# The pages -------------------------------------------------------------------------------


def page_targets(world, client_for):  # noqa: F811
    """(persona, url, field names) for every page a persona may open, with the names of
    its form fields and the query parameters pages read."""
    targets = []
    for name in sorted(MATRIX):
        if name in SKIPPED or name.startswith("api:"):
            continue
        url = reverse(name, kwargs=MATRIX[name][0](world))
        for persona in ("reporter", "reviewer"):
            client = client_for(world[persona])
            response = client.get(url)
            fields = set(QUERY_NAMES)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                fields |= set(FIELD.findall(response.content.decode()))
            fields.discard("csrfmiddlewaretoken")
            targets.append((persona, url, sorted(fields)))
            client.logout()
    return targets


def test_hypothesis_finds_no_server_error_in_the_pages(client_for, world):  # noqa: F811
    targets = page_targets(world, client_for)
    assert len(targets) >= 40  # every page, as a reporter and as a reviewer
    assert all(p in PERSONAS for p, _, _ in targets)
    counted = {"examples": 0}

    @st.composite
    def requests(draw):
        persona, url, fields = draw(st.sampled_from(targets))
        names = draw(st.lists(st.sampled_from(fields), max_size=6, unique=True))
        data = {n: draw(value) for n in names}
        return persona, url, draw(st.sampled_from(["GET", "POST"])), data

    @settings(BOUNDED, max_examples=PAGE_EXAMPLES)
    @given(request=requests())
    def run(request):
        persona, url, method, data = request
        client = _no_server_error(client_for(world[persona]))
        with transaction.atomic():  # each example on the same world
            response = client.get(url, data) if method == "GET" else client.post(url, data)
            transaction.set_rollback(True)
        counted["examples"] += 1
        assert response.status_code < 500, (persona, method, url, data)

    run()
    assert counted["examples"] >= PAGE_EXAMPLES // 2


@pytest.mark.parametrize(
    "url",
    [
        "/to-chuc/%00/",
        "/to-chuc/TV%00HCL/",
    ],
)
def test_a_nul_in_a_path_is_a_bad_request(client_for, reviewer, url):
    client = _no_server_error(client_for(reviewer))
    assert client.get(url).status_code == 400


def test_a_nul_in_the_cycle_list_plan_filter_is_refused(client_for, reviewer, world):  # noqa: F811
    client = _no_server_error(client_for(reviewer))
    response = client.get(reverse("reports:cycle_list"), {"plan": "\x00"})
    assert response.status_code in (200, 400, 404)


def test_a_nul_in_the_new_cycle_plan_is_refused(client_for, reviewer, world):  # noqa: F811
    client = _no_server_error(client_for(reviewer))
    response = client.get(reverse("reports:cycle_create"), {"plan": "\x00"})
    assert response.status_code in (200, 400, 404)
