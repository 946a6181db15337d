"""The read-only API: the pages' scope, the figures module's numbers, a valid schema."""

import base64
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from organisations.models import Organisation, OrganisationKind, Role
from reports.figures.definitions import cycle_figures, previous_cycle
from reports.figures.totals import indicator_totals
from reports.models import IndicatorValue, ReportStatus
from reports.services.reports import report_accept
from tasks.models import Aggregation, ValueType
from tests.conftest import PASSWORD, make_user
from tests.reports.factories import make_cycle, make_report, province_pk, submitted_report

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2026, 12, 15)
ON_TIME = dt.datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
LATE = dt.datetime(2026, 12, 20, 9, 0, tzinfo=TZ)  # five days after the due date
NOW = dt.datetime(2026, 12, 22, 9, 0, tzinfo=TZ)  # seven days after the due date


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


@pytest.fixture
def season(cycle, organisations, reporter, other_reporter, reviewer):
    """Càng Long on time, Cầu Kè late, Châu Thành on time and accepted, Tiểu Cần still
    drafting, everyone else missing."""
    chau_thanh = make_user("chau-thanh", organisation=organisations["TV-HCT"], role=Role.REPORTER)
    tieu_can = make_user("tieu-can", organisation=organisations["TV-HTC"], role=Role.REPORTER)
    with time_machine.travel(ON_TIME, tick=False):
        submitted_report(cycle, organisations["TV-HCL"], reporter)
        accepted = submitted_report(cycle, organisations["TV-HCT"], chau_thanh)
        report_accept(report=accepted, actor=reviewer)
        make_report(cycle, organisations["TV-HTC"], tieu_can)
    with time_machine.travel(LATE, tick=False):
        submitted_report(cycle, organisations["TV-HCK"], other_reporter)
    with time_machine.travel(NOW, tick=False):
        yield cycle


@pytest.fixture
def last_year(plan, reviewer, reporter, organisations):
    """2025: only Càng Long reported, and was accepted."""
    with time_machine.travel(dt.datetime(2025, 12, 1, 9, 0, tzinfo=TZ), tick=False):
        cycle = make_cycle(plan, reviewer, year=2025)
        report = submitted_report(cycle, organisations["TV-HCL"], reporter)
        report_accept(report=report, actor=reviewer)
    return cycle


def urls(cycle) -> dict[str, str]:
    return {
        "list": reverse("api:cycle-list"),
        "detail": reverse("api:cycle-detail", args=[cycle.pk]),
        "status": reverse("api:cycle-status", args=[cycle.pk]),
        "rollup": reverse("api:cycle-rollup", args=[cycle.pk]),
        "schema": reverse("api:schema") + "?format=json",
    }


def expected_count() -> int:
    """Counted from the plan's data file by hand: at the province's level, the kinds III.1
    obliges to report (district-level and affiliated committees, 14 in Trà Vinh). The
    advisory bodies, the Front and the đoàn thể contribute and are not counted."""
    kinds = [OrganisationKind.DISTRICT_COMMITTEE, OrganisationKind.AFFILIATED_COMMITTEE]
    return Organisation.objects.filter(kind__in=kinds).count()


def as_numbers(figures) -> dict:
    names = ["expected", "actual", "on_time", "late", "missing", "accepted"]
    rates = ["completeness", "timeliness", "acceptance"]
    return {n: getattr(figures, n) for n in names} | {r: float(getattr(figures, r)) for r in rates}


def status_rows(client, cycle) -> dict[str, dict]:
    data = client.get(urls(cycle)["status"], {"limit": 1000}).json()
    assert data["count"] == len(data["results"])
    return {row["organisation"]["code"]: row for row in data["results"]}


# Figures: the same numbers as the figures module and as what was created ----------------


def test_overseers_get_the_figures_module_numbers_in_the_cycle_list(
    client_for, season, reviewer, leader, admin_user
):
    for user in (reviewer, leader, admin_user):
        response = client_for(user).get(urls(season)["list"])
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        [item] = response.json()["results"]
        assert item["figures"] == as_numbers(cycle_figures(season))


def test_cycle_figures_are_the_ones_created(client_for, season, reviewer):
    expected = expected_count()
    figures = client_for(reviewer).get(urls(season)["detail"]).json()["figures"]
    assert figures == {
        "expected": expected,
        "actual": 3,
        "on_time": 2,
        "late": 1,
        "missing": expected - 3,
        "accepted": 1,
        "completeness": round(300 / expected, 1),
        "timeliness": round(200 / expected, 1),
        "acceptance": float(Decimal(100 / expected).quantize(Decimal("0.1"), "ROUND_HALF_UP")),
    }


def test_cycle_fields_are_iso_dates_and_plan_reference(client_for, season, reviewer, plan):
    item = client_for(reviewer).get(urls(season)["detail"]).json()
    assert item["id"] == season.pk
    assert item["plan"] == {"code": plan.code, "number": plan.number}
    assert item["year"] == 2026
    assert item["period_start"] == "2026-01-01"
    assert item["period_end"] == "2026-12-31"
    assert item["opens_on"] == "2026-01-01"
    assert item["due_on"] == "2026-12-15"
    assert item["closes_on"] == "2027-02-13"
    assert item["deadline"].startswith("2026-12-15T23:59:59")
    assert item["deadline"].endswith("+07:00")
    assert item["status"] == "open"


def test_reporters_get_cycle_fields_with_null_figures(
    client_for, season, reporter, other_reporter, body_reporter
):
    for user in (reporter, other_reporter, body_reporter):
        client = client_for(user)
        [item] = client.get(urls(season)["list"]).json()["results"]
        assert item["figures"] is None
        assert item["id"] == season.pk
        assert client.get(urls(season)["detail"]).json()["figures"] is None


def test_cycle_detail_is_shaped_like_a_list_item(client_for, season, reviewer):
    client = client_for(reviewer)
    [item] = client.get(urls(season)["list"]).json()["results"]
    assert client.get(urls(season)["detail"]).json() == item


def test_cycle_list_filters_by_plan_and_year(client_for, season, last_year, reviewer, plan):
    client = client_for(reviewer)
    years = [c["year"] for c in client.get(urls(season)["list"]).json()["results"]]
    assert years == [2026, 2025]
    only = client.get(urls(season)["list"], {"plan": plan.code, "year": 2025}).json()
    assert [c["id"] for c in only["results"]] == [last_year.pk]
    assert client.get(urls(season)["list"], {"plan": "khong-co"}).json()["count"] == 0


def test_cycle_list_rejects_a_year_that_is_not_a_number(client_for, season, reviewer):
    response = client_for(reviewer).get(urls(season)["list"], {"year": "hai-nghin"})
    assert response.status_code == 400
    assert "year" in response.json()


def test_cycle_list_is_paginated_with_limit_and_offset(client_for, season, last_year, reviewer):
    data = client_for(reviewer).get(urls(season)["list"], {"limit": 1, "offset": 1}).json()
    assert data["count"] == 2
    assert [c["year"] for c in data["results"]] == [2025]
    assert data["previous"] is not None


def test_unknown_cycle_is_404(client_for, season, reviewer):
    client = client_for(reviewer)
    for name in ("cycle-detail", "cycle-status", "cycle-rollup"):
        response = client.get(reverse(f"api:{name}", args=[season.pk + 1000]))
        assert response.status_code == 404, name
        assert "detail" in response.json()


# Status: who has reported -----------------------------------------------------------------


def test_overseers_see_every_expected_organisation_in_status(
    client_for, season, reviewer, leader, admin_user
):
    for user in (reviewer, leader, admin_user):
        rows = status_rows(client_for(user), season)
        assert len(rows) == expected_count() == cycle_figures(season).expected
        statuses = [row["status"] for row in rows.values()]
        assert statuses.count("missing") == cycle_figures(season).missing - 1  # + the draft


def test_status_rows_say_when_and_how_each_report_came(client_for, season, reviewer):
    rows = status_rows(client_for(reviewer), season)
    hcl, hck, hct, htc, missing = (
        rows["TV-HCL"],
        rows["TV-HCK"],
        rows["TV-HCT"],
        rows["TV-HTC"],
        rows["TV-TPTV"],
    )
    assert hcl["organisation"] == {
        "code": "TV-HCL",
        "name": "Huyện ủy Càng Long",
        "kind": "district_committee",
    }
    assert hcl["status"] == ReportStatus.SUBMITTED
    assert hcl["first_submitted_at"] == "2026-12-10T09:00:00+07:00"
    assert (hcl["on_time"], hcl["days_late"], hcl["submission_count"]) == (True, 0, 1)
    assert hcl["overdue"] is False
    assert isinstance(hcl["report"], int)

    assert hck["status"] == ReportStatus.SUBMITTED
    assert hck["first_submitted_at"] == "2026-12-20T09:00:00+07:00"
    assert (hck["on_time"], hck["days_late"]) == (False, 5)

    assert hct["status"] == ReportStatus.ACCEPTED
    assert hct["on_time"] is True

    assert htc["status"] == ReportStatus.DRAFT
    assert (htc["first_submitted_at"], htc["on_time"], htc["submission_count"]) == (None, None, 0)
    assert (htc["days_late"], htc["overdue"]) == (7, True)

    assert missing["status"] == "missing"
    assert (missing["report"], missing["first_submitted_at"], missing["on_time"]) == (
        None,
        None,
        None,
    )
    assert (missing["days_late"], missing["submission_count"], missing["overdue"]) == (7, 0, True)


def test_status_lists_overdue_organisations_first(client_for, season, reviewer):
    data = client_for(reviewer).get(urls(season)["status"], {"limit": 1000}).json()
    overdue = [row["overdue"] for row in data["results"]]
    assert overdue == sorted(overdue, reverse=True)
    assert data["results"][-1]["organisation"]["code"] == "TV-HCT"


def test_reporter_sees_only_its_own_row_in_status(client_for, season, reporter):
    rows = status_rows(client_for(reporter), season)
    assert list(rows) == ["TV-HCL"]


def test_other_district_reporter_sees_nothing_of_cang_long(client_for, season, other_reporter):
    client = client_for(other_reporter)
    rows = status_rows(client, season)
    assert list(rows) == ["TV-HCK"]
    assert "TV-HCL" not in client.get(urls(season)["status"]).content.decode()
    assert client.get(urls(season)["rollup"]).status_code == 403


def test_contributor_has_no_status_row(client_for, season, body_reporter):
    """Ban Tuyên giáo contributes (plan data ``contributors``): it is no expected reporter,
    so the status lists nothing of it, and nothing of anyone else."""
    assert list(status_rows(client_for(body_reporter), season)) == []


# Rollup: the provincial totals ---------------------------------------------------------------


def independent_totals(cycle, statuses) -> dict[str, Decimal | None]:
    """Every indicator's sum over the reports in these statuses, added up here."""
    codes = cycle.plan.indicators.values_list("code", flat=True)
    totals: dict[str, Decimal | None] = dict.fromkeys(codes)
    values = IndicatorValue.objects.filter(
        report__cycle=cycle, report__status__in=statuses, value__isnull=False
    ).values_list("indicator__code", "value")
    for code, value in values:
        totals[code] = (totals[code] or Decimal(0)) + value
    return totals


def number(value) -> float | None:
    return None if value is None else float(value)


def test_rollup_counts_accepted_reports_by_default(client_for, season, reviewer):
    data = client_for(reviewer).get(urls(season)["rollup"]).json()
    assert data["include_submitted"] is False
    assert data["cycle"] == {"id": season.pk, "year": 2026}
    assert data["previous_cycle"] is None
    assert data["figures"] == as_numbers(cycle_figures(season))
    mine = independent_totals(season, [ReportStatus.ACCEPTED])
    assert {row["code"]: row["value"] for row in data["indicators"]} == {
        code: number(value) for code, value in mine.items()
    }
    assert all(row["reports"] == 1 for row in data["indicators"])


def test_rollup_with_submitted_reports_adds_them(client_for, season, reviewer):
    data = client_for(reviewer).get(urls(season)["rollup"], {"include_submitted": "true"}).json()
    assert data["include_submitted"] is True
    mine = independent_totals(season, [ReportStatus.ACCEPTED, ReportStatus.SUBMITTED])
    assert {row["code"]: row["value"] for row in data["indicators"]} == {
        code: number(value) for code, value in mine.items()
    }
    assert {row["reports"] for row in data["indicators"]} == {3}


@pytest.mark.parametrize("include_submitted", [False, True])
def test_rollup_equals_the_figures_module(
    client_for, season, last_year, reviewer, include_submitted
):
    data = (
        client_for(reviewer)
        .get(urls(season)["rollup"], {"include_submitted": str(include_submitted).lower()})
        .json()
    )
    totals = indicator_totals(
        season, include_submitted=include_submitted, previous=previous_cycle(season)
    )
    assert data["previous_cycle"] == {"id": last_year.pk, "year": 2025}
    assert data["indicators"] == [
        {
            "code": row.indicator.code,
            "name": row.indicator.name,
            "unit": row.indicator.unit,
            "task": row.indicator.task.number,
            "aggregation": row.indicator.aggregation,
            "value_type": row.indicator.value_type,
            "value": number(row.value),
            "previous": number(row.previous),
            "change": number(row.change),
            "change_percent": number(row.change_percent),
            "reports": row.reports,
        }
        for row in totals.rows
    ]


def test_rollup_gives_counts_as_whole_numbers_and_rates_as_decimals(
    client_for, season, last_year, reviewer
):
    response = client_for(reviewer).get(urls(season)["rollup"], {"include_submitted": "true"})
    rows = {row["code"]: row for row in response.json()["indicators"]}
    counts = {
        i.code
        for i in season.plan.indicators.all()
        if i.value_type == ValueType.INTEGER and i.aggregation != Aggregation.AVERAGE
    }
    given = [(row, key) for row in rows.values() for key in ("value", "previous", "change")]
    assert any(row["code"] in counts and row[key] is not None for row, key in given)
    for row, key in given:
        if row[key] is None:
            continue
        if row["code"] in counts:
            assert type(row[key]) is int, (row["code"], key, row[key])
        else:
            assert type(row[key]) in (int, float), (row["code"], key, row[key])
    # json reads 1512.0 as a float: an int here means the text says 1512.
    figures = response.json()["figures"]
    assert all(type(figures[k]) is int for k in ("expected", "actual", "late", "accepted"))
    assert all(type(figures[k]) in (int, float) for k in ("completeness", "timeliness"))


def test_schema_says_counts_are_integers(client_for, season, reviewer):
    schemas = client_for(reviewer).get(urls(season)["schema"]).json()["components"]["schemas"]
    figures = schemas["Figures"]["properties"]
    for key in ("expected", "actual", "on_time", "late", "missing", "accepted"):
        assert figures[key]["type"] == "integer", key
    for key in ("completeness", "timeliness", "acceptance"):
        assert figures[key]["type"] == "number", key
    total = schemas["IndicatorTotal"]["properties"]
    for key in ("value", "previous", "change"):
        assert {"type": "integer", "nullable": True} in total[key]["anyOf"], key
        assert {"type": "number", "nullable": True} in total[key]["anyOf"], key
    assert total["reports"]["type"] == "integer"
    assert total["change_percent"]["type"] == "number"
    assert "integer" in str(total["value_type"])


def test_rollup_answers_conform_to_the_openapi_document(client_for, season, last_year, reviewer):
    client = client_for(reviewer)
    components = client.get(urls(season)["schema"]).json()["components"]
    validator = OAS30Validator({"$ref": "#/components/schemas/Rollup", "components": components})
    for include in ("false", "true"):
        data = client.get(urls(season)["rollup"], {"include_submitted": include}).json()
        validator.validate(data)
    data["indicators"][0]["value"] = "1512"
    with pytest.raises(ValidationError):
        validator.validate(data)


def test_rollup_compares_with_last_year(client_for, season, last_year, reviewer):
    data = client_for(reviewer).get(urls(season)["rollup"]).json()
    before = independent_totals(last_year, [ReportStatus.ACCEPTED])
    now = independent_totals(season, [ReportStatus.ACCEPTED])
    for row in data["indicators"]:
        previous, value = before[row["code"]], now[row["code"]]
        assert row["previous"] == number(previous)
        assert row["change"] == number(value - previous)
        if previous:
            percent = ((value - previous) * 100 / previous).quantize(
                Decimal("0.1"), "ROUND_HALF_UP"
            )
            assert row["change_percent"] == float(percent)


def test_rollup_rejects_a_switch_that_is_not_a_boolean(client_for, season, reviewer):
    response = client_for(reviewer).get(urls(season)["rollup"], {"include_submitted": "co"})
    assert response.status_code == 400
    assert "include_submitted" in response.json()


def test_leaders_and_admins_read_the_rollup(client_for, season, leader, admin_user):
    for user in (leader, admin_user):
        assert client_for(user).get(urls(season)["rollup"]).status_code == 200


def test_reporters_get_403_on_the_rollup(
    client_for, season, reporter, other_reporter, body_reporter
):
    for user in (reporter, other_reporter, body_reporter):
        response = client_for(user).get(urls(season)["rollup"])
        assert response.status_code == 403
        assert response.json()["detail"]


# Who may call the API ---------------------------------------------------------------------


def test_outsider_gets_404_everywhere(client_for, season, outsider):
    client = client_for(outsider)
    for name, url in urls(season).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert "detail" in response.json()


def test_anonymous_gets_401_json_not_a_redirect(client, season):
    for name, url in urls(season).items():
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 401, name
        assert response["WWW-Authenticate"].startswith("Basic"), name
        assert response["Content-Type"].startswith("application/json"), name
        assert response.json()["detail"].startswith("Chưa đăng nhập"), name


def test_anonymous_schema_error_is_json_even_where_the_document_is_yaml(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_schema_is_yaml_by_default(client_for, season, reviewer):
    response = client_for(reviewer).get(reverse("api:schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.decode().startswith("openapi: 3")


def test_basic_auth_signs_in(client, season, reviewer):
    token = base64.b64encode(f"reviewer:{PASSWORD}".encode()).decode()
    response = client.get(urls(season)["detail"], HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 200
    assert response.json()["figures"]["actual"] == 3


def test_basic_auth_with_a_wrong_password_is_401(client, season, reviewer):
    token = base64.b64encode(b"reviewer:sai-mat-khau").decode()
    response = client.get(urls(season)["detail"], HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_every_method_but_get_is_405(client, client_for, season, reviewer, method):
    for signed_in in (True, False):
        client = client_for(reviewer) if signed_in else client
        for name, url in urls(season).items():
            response = getattr(client, method)(url)
            assert response.status_code == 405, (name, signed_in)
            assert response["Allow"] == "GET, HEAD", name
        client.logout()


def test_head_answers_like_get(client_for, season, reviewer):
    response = client_for(reviewer).head(urls(season)["status"])
    assert response.status_code == 200
    assert response.content == b""


# Query budgets: the number of organisations must not matter --------------------------------


def add_organisations(count: int) -> None:
    province = province_pk()
    Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{i}", name=f"Huyện ủy {i}", kind="district_committee", parent_id=province
        )
        for i in range(count)
    )


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("extra", [3, 200])
def test_status_query_budget(
    client_for, season, reviewer, reporter, django_assert_max_num_queries, extra
):
    add_organisations(extra)
    for user in (reviewer, reporter):
        client = client_for(user)
        client.get(urls(season)["status"])  # warm the session
        with django_assert_max_num_queries(15):
            data = client.get(urls(season)["status"], {"limit": 1000}).json()
        if user == reviewer:
            assert data["count"] == expected_count()


@pytest.mark.parametrize("extra", [3, 200])
def test_cycle_list_query_budget(
    client_for, season, last_year, reviewer, reporter, django_assert_max_num_queries, extra
):
    add_organisations(extra)
    for user in (reviewer, reporter):
        client = client_for(user)
        with django_assert_max_num_queries(20):
            data = client.get(urls(season)["list"]).json()
        assert data["count"] == 2


def test_query_counts_do_not_grow_with_organisations(client_for, season, reviewer):
    client = client_for(reviewer)
    client.get(urls(season)["list"])
    before = {name: queries(client, urls(season)[name]) for name in ("list", "status", "rollup")}
    add_organisations(200)
    after = {name: queries(client, urls(season)[name]) for name in ("list", "status", "rollup")}
    assert before == after


# The OpenAPI document --------------------------------------------------------------------------


def test_schema_is_a_valid_openapi_document(client_for, season, reviewer):
    response = client_for(reviewer).get(urls(season)["schema"])
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/cycles/",
        "/api/v1/cycles/{id}/",
        "/api/v1/cycles/{id}/status/",
        "/api/v1/cycles/{id}/rollup/",
        "/api/v1/organisations/{code}/history/",
    }
    for path, operations in paths.items():
        assert set(operations) == {"get"}, path
        get = operations["get"]
        assert get["description"], path
        assert "200" in get["responses"], path
        assert "$ref" in str(get["responses"]["200"]), path


def test_spectacular_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").read_text(encoding="utf-8").startswith("openapi: 3")
