"""The access helpers, odd input that must never become a 500, and what downloads may
leave in caches."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from reports import access
from reports.api.pagination import MAX_LIMIT, CappedLimitOffsetPagination
from reports.models import SummaryStatus, YearlySummary
from reports.services.files import attachment_add
from reports.services.subplans import subplan_register
from reports.services.uploads import PDF as PDF_TYPE
from reports.services.uploads import check_upload
from tests.reports.factories import PDF, make_cycle, saved_report

HUGE = "99999999999999999999"  # beyond PostgreSQL's bigint


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# The access helpers: 404 outside the scope, 403 when visible but not allowed -----------------


def test_plan_overseen_is_404_for_outsiders_and_403_for_reporters(plan, reporter, outsider, leader):
    assert access.get_plan_for_user(leader, plan.code, oversee=True) == plan
    with pytest.raises(PermissionDenied):
        access.get_plan_for_user(reporter, plan.code, oversee=True)
    with pytest.raises(Http404):
        access.get_plan_for_user(outsider, plan.code, oversee=True)
    with pytest.raises(PermissionDenied):
        access.get_plan_for_user(leader, plan.code, manage=True)


def test_plan_code_with_a_nul_is_not_found_rather_than_a_database_error(plan, reviewer):
    with pytest.raises(Http404):
        access.get_plan_for_user(reviewer, plan.code + "\x00")


def test_cycle_oversee_and_manage(cycle, reporter, reviewer, leader, outsider):
    assert access.get_cycle_for_user(leader, cycle.pk, oversee=True) == cycle
    assert access.get_cycle_for_user(reviewer, cycle.pk, manage=True) == cycle
    with pytest.raises(PermissionDenied):
        access.get_cycle_for_user(reporter, cycle.pk, oversee=True)
    with pytest.raises(PermissionDenied):
        access.get_cycle_for_user(leader, cycle.pk, manage=True)
    with pytest.raises(Http404):
        access.get_cycle_for_user(outsider, cycle.pk)


def test_report_write_is_for_its_reporters_only(
    cycle, organisations, reporter, other_reporter, reviewer
):
    report = saved_report(cycle, organisations["TV-HCL"], reporter)
    assert access.get_report_for_user(reporter, report.pk, write=True) == report
    with pytest.raises(PermissionDenied):
        access.get_report_for_user(reviewer, report.pk, write=True)
    with pytest.raises(Http404):
        access.get_report_for_user(other_reporter, report.pk)


def test_report_start_is_out_of_reach_for_another_districts_overseers(
    cycle,
    organisations,
    reporter,
    reviewer,
    district_reviewer,
    other_district_reviewer,
    grassroots_reporter,
):
    """Overseeing the plan at some level is not enough to follow a link to a report:
    Cầu Kè's reviewer would otherwise learn which of Càng Long's reports exist (and be
    redirected to them); it is 404, as on the report itself."""
    report = saved_report(cycle, organisations["TV-HCL-XANTRUONG"], grassroots_reporter)
    for user in (reviewer, district_reviewer, grassroots_reporter):
        assert access.get_report_start_for_user(user, cycle.pk, "TV-HCL-XANTRUONG")[2] == report
    for user in (other_district_reviewer, reporter):
        with pytest.raises(Http404):
            access.get_report_start_for_user(user, cycle.pk, "TV-HCL-XANTRUONG")
    # Its own district is in reach: the overseer follows the link, without a report too.
    assert access.get_report_start_for_user(other_district_reviewer, cycle.pk, "TV-HCK")[2] is None
    with CaptureQueriesContext(connection) as queries:
        fresh = type(other_district_reviewer).objects.get(pk=other_district_reviewer.pk)
        with pytest.raises(Http404):
            access.get_report_start_for_user(fresh, cycle.pk, "TV-HCL")
    assert len(queries) <= 9, [q["sql"] for q in queries]  # the same for any subtree


def test_subplan_is_visible_to_its_reporters_and_overseers_only(
    media, plan, cycle, organisations, reporter, other_reporter, leader
):
    subplan = subplan_register(
        plan=plan,
        organisation=organisations["TV-HCL"],
        number="45-KH/HU",
        issued_on=cycle.opens_on,
        checked=check_upload(SimpleUploadedFile("kh.pdf", PDF), (PDF_TYPE,)),
        actor=reporter,
    )
    assert access.get_subplan_for_user(reporter, subplan.pk) == subplan
    assert access.get_subplan_for_user(leader, subplan.pk) == subplan
    with pytest.raises(Http404):
        access.get_subplan_for_user(other_reporter, subplan.pk)


def test_summary_is_for_overseers_and_built_by_reviewers(cycle, reviewer, leader, reporter):
    assert access.get_summary_for_user(leader, cycle.pk) == (cycle, None)
    with pytest.raises(PermissionDenied):
        access.get_summary_for_user(leader, cycle.pk, build=True)
    with pytest.raises(PermissionDenied):
        access.get_summary_for_user(reporter, cycle.pk)
    assert access.get_summary_for_user(reviewer, cycle.pk, build=True) == (cycle, None)


def test_no_view_raises_404_or_403_itself():
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR) / "reports"
    for path in [*(base / "views").glob("*.py"), base / "api" / "views.py"]:
        text = path.read_text()
        for word in ("raise Http404", "raise PermissionDenied", "raise NotFound"):
            assert word not in text, f"{path.name}: {word}; use reports.access"


def test_the_api_rollup_refusal_says_why_in_vietnamese(client_for, cycle, reporter):
    response = client_for(reporter).get(reverse("api:cycle-rollup", args=[cycle.pk]))
    assert response.status_code == 403
    assert "theo dõi kế hoạch" in response.json()["detail"]


# Odd input: a 4xx, never a 500 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/to-chuc/%00/",
        "/ky-bao-cao/mo-moi/?plan=%00",
        "/ky-bao-cao/{cycle}/don-vi/%00/",
        "/bao-cao/?status=%00",
        "/api/v1/cycles/?plan=%00",
        "/to-chuc/?q=a%00b",
        "/ky-bao-cao/?%00=1",
    ],
)
def test_a_nul_in_the_path_or_the_query_is_a_bad_request(client_for, reviewer, cycle, url):
    client = client_for(reviewer)
    client.raise_request_exception = False
    response = client.get(url.format(cycle=cycle.pk))
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_a_nul_in_a_posted_plan_code_is_not_found(client_for, reviewer):
    client = client_for(reviewer)
    client.raise_request_exception = False
    response = client.post(reverse("reports:cycle_create"), {"plan": "112\x00"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/bao-cao/{HUGE}/",
        f"/ky-bao-cao/{HUGE}/",
        f"/ke-hoach-thuc-hien/tep/{HUGE}/",
        f"/api/v1/cycles/{HUGE}/",
        f"/api/v1/cycles/{HUGE}/status/",
    ],
)
def test_ids_too_large_for_the_database_are_not_found(client_for, reviewer, cycle, url):
    client = client_for(reviewer)
    client.raise_request_exception = False
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/ky-bao-cao/{{cycle}}/?trang={HUGE}",
        f"/ky-bao-cao/{{cycle}}/theo-doi/?trang={HUGE}",
        f"/thong-bao/?trang={HUGE}",
        f"/bao-cao/?cycle={HUGE}",
        "/ky-bao-cao/{cycle}/?trang=abc",
    ],
)
def test_huge_or_non_numeric_page_numbers_give_a_page(client_for, reviewer, cycle, url):
    client = client_for(reviewer)
    client.raise_request_exception = False
    assert client.get(url.format(cycle=cycle.pk)).status_code == 200


@pytest.mark.parametrize("name", ["cycle-list", "cycle-status"])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": HUGE}, "limit"),
        ({"offset": HUGE}, "offset"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"offset": "1.5"}, "offset"),
    ],
)
def test_api_limit_and_offset_out_of_range_are_a_clear_400(
    client_for, reviewer, cycle, name, params, field
):
    client = client_for(reviewer)
    client.raise_request_exception = False
    args = [] if name == "cycle-list" else [cycle.pk]
    response = client.get(reverse(f"api:{name}", args=args), params)
    assert response.status_code == 400
    assert "số nguyên" in response.json()[field][0]


def test_api_limit_is_capped():
    paginator = CappedLimitOffsetPagination()
    request = Request(APIRequestFactory().get("/", {"limit": "100000"}))
    assert paginator.get_limit(request) == MAX_LIMIT == 500
    assert paginator.get_limit(Request(APIRequestFactory().get("/", {"limit": "7"}))) == 7
    assert paginator.get_limit(Request(APIRequestFactory().get("/"))) == paginator.default_limit


def test_api_status_rows_beyond_the_cap_come_page_by_page(client_for, reviewer, cycle):
    client = client_for(reviewer)
    url = reverse("api:cycle-status", args=[cycle.pk])
    data = client.get(url, {"limit": "1000"}).json()
    assert data["count"] == len(data["results"])  # fewer than the cap here
    with CaptureQueriesContext(connection) as captured:
        last = client.get(url, {"limit": "1", "offset": str(data["count"] - 1)}).json()
    assert [row["organisation"]["code"] for row in last["results"]] == [
        data["results"][-1]["organisation"]["code"]
    ]
    # Session, user, roles, cycle, the user's oversight (2), the reporting node (the
    # issuer's top, its successor and predecessors: 4), scope, lines, count and the page.
    assert len(captured) <= 14, "\n".join(q["sql"][:300] for q in captured)


# Downloads: nothing kept in caches ---------------------------------------------------------------


def assert_not_cached(response):
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)  # close the file


def test_attachment_download_is_not_cached(media, client_for, cycle, organisations, reporter):
    report = saved_report(cycle, organisations["TV-HCL"], reporter)
    attachment = attachment_add(
        report=report,
        checked=check_upload(SimpleUploadedFile("scan.pdf", PDF), (PDF_TYPE,)),
        kind="signed_scan",
        actor=reporter,
    )
    url = reverse("reports:attachment_download", args=[report.pk, attachment.pk])
    assert_not_cached(client_for(reporter).get(url))


def test_subplan_download_is_not_cached(media, client_for, plan, cycle, organisations, reporter):
    subplan = subplan_register(
        plan=plan,
        organisation=organisations["TV-HCL"],
        number="45-KH/HU",
        issued_on=cycle.opens_on,
        checked=check_upload(SimpleUploadedFile("kh.pdf", PDF), (PDF_TYPE,)),
        actor=reporter,
    )
    assert_not_cached(
        client_for(reporter).get(reverse("reports:subplan_download", args=[subplan.pk]))
    )


def test_summary_download_is_not_cached(media, client_for, cycle, reviewer):
    summary = YearlySummary.objects.create(cycle=cycle, status=SummaryStatus.DONE)
    summary.docx.save("bao-cao.docx", ContentFile(b"PK"), save=True)
    url = reverse("reports:summary_download", args=[cycle.pk, "docx"])
    assert_not_cached(client_for(reviewer).get(url))


def test_a_download_whose_file_is_gone_is_not_found(media, client_for, cycle, reviewer):
    summary = YearlySummary.objects.create(cycle=cycle, status=SummaryStatus.DONE)
    summary.docx.save("bao-cao.docx", ContentFile(b"PK"), save=True)
    (media / summary.docx.name).unlink()
    url = reverse("reports:summary_download", args=[cycle.pk, "docx"])
    assert client_for(reviewer).get(url).status_code == 404
