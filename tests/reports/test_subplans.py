"""Sub-plans (section III.1): registering a district's own implementation plan, following
who has done so, and downloading the files."""

import datetime as dt
import hashlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.models import Membership, Organisation, OrganisationKind, Role
from organisations.ordering import sort_key
from reports.figures.deliverables import (
    BUCKET_NAMES,
    LATE,
    ON_TIME,
    OVERDUE,
    PENDING,
    bucket_summary,
    subplan_bucket,
    with_bucket,
)
from reports.models import SubPlan, end_of_day
from reports.paging import PAGE_SIZE
from reports.services.subplans import subplan_register
from reports.services.uploads import PDF, check_upload
from tasks.selectors import subplan_expected_organisations
from tests.reports.factories import province_pk

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LIST_URL = reverse("reports:subplan_list")


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=ZONE)


def pdf(name="kh.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def register_url(plan, org=None):
    url = reverse("reports:subplan_register", args=[plan.code])
    return f"{url}?org={org}" if org else url


def post_data(number="45-KH/HU", issued_on="05/03/2026", file=None, **extra):
    return {"number": number, "issued_on": issued_on, "file": file or pdf(), **extra}


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def register_directly(plan, organisation, actor, number="01-KH/HU", issued_on=None):
    """Register through the service, at whatever time is current (for frozen-time tests)."""
    checked = check_upload(pdf(), (PDF,))
    return subplan_register(
        plan=plan,
        organisation=organisation,
        number=number,
        issued_on=issued_on or dt.date(2026, 3, 1),
        checked=checked,
        actor=actor,
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


# Registering


def test_reporter_registers_a_subplan_stored_under_a_random_name(
    client_for, reporter, plan, organisations, media
):
    client = client_for(reporter)
    response = client.post(register_url(plan), post_data(file=pdf("Kế hoạch reporter.pdf")))

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    subplan = SubPlan.objects.get()
    assert subplan.organisation == organisations["TV-HCL"]
    assert subplan.number == "45-KH/HU"
    assert subplan.registered_by == reporter
    assert subplan.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert subplan.size == len(PDF_BYTES)
    assert subplan.original_name == "Kế hoạch reporter.pdf"
    assert subplan.file.name.startswith(f"subplans/{plan.pk}/")
    assert subplan.file.name.endswith(".pdf")
    assert "reporter" not in subplan.file.name
    assert "Kế hoạch" not in subplan.file.name
    assert (media / subplan.file.name).read_bytes() == PDF_BYTES

    page = client.get(LIST_URL)
    html = page.content.decode()
    assert "Đã đăng ký kế hoạch thực hiện số 45-KH/HU." in html
    assert "45-KH/HU" in html
    assert "05/03/2026" in html
    assert reverse("reports:subplan_download", args=[subplan.pk]) in html
    assert "Cập nhật" in html


def test_register_page_shows_the_form_for_the_reporters_district(client_for, reporter, plan):
    response = client_for(reporter).get(register_url(plan))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert "Huyện ủy Càng Long" in html
    assert "organisation" not in response.context["form"].fields


def test_second_registration_replaces_the_first(client_for, reporter, plan):
    client = client_for(reporter)
    client.post(register_url(plan), post_data(number="45-KH/HU"))
    second = PDF_BYTES + b"% ban sua\n"
    response = client.post(
        register_url(plan), post_data(number="46-KH/HU", file=pdf("moi.pdf", second))
    )

    assert response.status_code == 302
    subplan = SubPlan.objects.get()
    assert subplan.number == "46-KH/HU"
    assert subplan.original_name == "moi.pdf"
    assert subplan.sha256 == hashlib.sha256(second).hexdigest()
    assert subplan.file.read() == second


def test_register_page_prefills_the_current_registration(client_for, reporter, plan):
    client = client_for(reporter)
    client.post(register_url(plan), post_data(number="45-KH/HU"))
    response = client.get(register_url(plan, "TV-HCL"))
    html = response.content.decode()
    assert response.context["form"].initial["number"] == "45-KH/HU"
    assert "Gửi lại sẽ thay thế kế hoạch đã đăng ký." in html


@pytest.mark.parametrize(
    ("name", "data"),
    [("anh.pdf", PNG_BYTES), ("van-ban.pdf", b"Day la van ban thuong, khong phai PDF.\n")],
    ids=["png", "text"],
)
def test_wrong_type_is_refused_in_vietnamese_and_nothing_saved(
    client_for, reporter, plan, media, name, data
):
    response = client_for(reporter).post(register_url(plan), post_data(file=pdf(name, data)))

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any("không đúng định dạng" in e and "PDF, DOCX" in e for e in errors)
    assert "không đúng định dạng" in response.content.decode()
    assert not SubPlan.objects.exists()
    assert stored_files(media) == []


def test_file_over_the_limit_is_refused_and_nothing_saved(
    client_for, reporter, plan, media, settings
):
    settings.UPLOAD_MAX_BYTES = 100
    big = PDF_BYTES + b"%" + b"x" * 200 + b"\n"
    response = client_for(reporter).post(register_url(plan), post_data(file=pdf("lon.pdf", big)))

    assert response.status_code == 200
    assert any("vượt quá giới hạn" in e for e in response.context["form"].errors["file"])
    assert not SubPlan.objects.exists()
    assert stored_files(media) == []


def test_empty_file_is_refused(client_for, reporter, plan):
    response = client_for(reporter).post(register_url(plan), post_data(file=pdf("rong.pdf", b"")))
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not SubPlan.objects.exists()


def test_folders_in_the_file_name_are_dropped(client_for, reporter, plan, media):
    response = client_for(reporter).post(register_url(plan), post_data(file=pdf("../../x.pdf")))

    assert response.status_code == 302
    subplan = SubPlan.objects.get()
    assert subplan.original_name == "x.pdf"
    assert ".." not in subplan.file.name
    stored = Path(subplan.file.path).resolve()
    assert stored.is_relative_to(media.resolve())
    assert stored_files(media) == [stored]


def test_issued_date_is_read_day_first(client_for, reporter, plan):
    client_for(reporter).post(register_url(plan), post_data(issued_on="05/03/2026"))
    assert SubPlan.objects.get().issued_on == dt.date(2026, 3, 5)


def test_missing_fields_are_reported_in_vietnamese(client_for, reporter, plan):
    response = client_for(reporter).post(register_url(plan), {"number": "", "issued_on": ""})
    errors = response.context["form"].errors
    assert errors["number"] == ["Vui lòng nhập số hiệu kế hoạch."]
    assert errors["file"] == ["Vui lòng chọn tệp."]
    assert "issued_on" in errors
    assert not SubPlan.objects.exists()


def test_service_refusal_is_shown_as_a_form_error(client_for, reporter, plan, media):
    with time_machine.travel(at(2026, 3, 10), tick=False):
        response = client_for(reporter).post(register_url(plan), post_data(issued_on="20/03/2026"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Ngày ban hành không được ở tương lai."]
    assert "Ngày ban hành không được ở tương lai." in response.content.decode()
    assert not SubPlan.objects.exists()


def test_reporter_of_two_districts_chooses_which_one(client_for, reporter, plan, organisations):
    Membership.objects.create(
        user=reporter, organisation=organisations["TV-HCK"], role=Role.REPORTER
    )
    client = client_for(reporter)

    page = client.get(register_url(plan, "TV-HCK"))
    form = page.context["form"]
    assert set(dict(form.fields["organisation"].choices)) == {"", "TV-HCL", "TV-HCK"}
    assert form.initial["organisation"] == "TV-HCK"

    missing = client.post(register_url(plan), post_data())
    assert missing.context["form"].errors["organisation"] == ["Vui lòng chọn đơn vị."]
    foreign = client.post(register_url(plan), post_data(organisation="TV-HCN"))
    assert "organisation" in foreign.context["form"].errors
    assert not SubPlan.objects.exists()

    client.post(register_url(plan), post_data(organisation="TV-HCK"))
    assert SubPlan.objects.get().organisation == organisations["TV-HCK"]


# Who may do what


@pytest.mark.parametrize("persona", ["body_reporter", "reviewer", "leader", "admin_user"])
def test_only_reporters_of_expected_organisations_may_register(request, client_for, plan, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(register_url(plan)).status_code == 403
    assert client.post(register_url(plan), post_data()).status_code == 403
    assert not SubPlan.objects.exists()


def test_unknown_plan_is_404_on_the_register_page(client_for, reporter, plan):
    url = reverse("reports:subplan_register", args=["khong-co"])
    assert client_for(reporter).get(url).status_code == 404


def test_list_and_download_refuse_post_and_register_refuses_put(client_for, reporter, plan):
    subplan = register_directly(plan, reporter.memberships.get().organisation, reporter)
    client = client_for(reporter)
    assert client.post(LIST_URL).status_code == 405
    assert client.post(reverse("reports:subplan_download", args=[subplan.pk])).status_code == 405
    assert client.put(register_url(plan)).status_code == 405


def test_unknown_subplan_is_404(client_for, reviewer, plan):
    assert (
        client_for(reviewer).get(reverse("reports:subplan_download", args=[999])).status_code == 404
    )


@pytest.mark.parametrize("persona", ["reporter", "reviewer", "leader", "admin_user"])
def test_download_sends_the_file_as_an_attachment_with_nosniff(
    request, client_for, reporter, plan, persona
):
    subplan = register_directly(plan, reporter.memberships.get().organisation, reporter)
    subplan.original_name = "Kế hoạch 45.pdf"
    subplan.save()
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("reports:subplan_download", args=[subplan.pk]))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "K%E1%BA%BF%20ho%E1%BA%A1ch%2045.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


# The list


def test_reporter_sees_only_their_own_district(client_for, reporter, other_reporter, plan):
    register_directly(plan, other_reporter.memberships.get().organisation, other_reporter)
    response = client_for(reporter).get(LIST_URL)
    html = response.content.decode()

    (section,) = response.context["sections"]
    assert [row.organisation.code for row in section.rows] == ["TV-HCL"]
    assert not section.buckets
    assert "Chưa đăng ký" in html
    assert "Đăng ký kế hoạch thực hiện" in html
    assert f"{register_url(plan)}?org=TV-HCL" in html
    assert "Cầu Kè" not in html
    assert "01-KH/HU" not in html


def test_body_reporter_is_told_their_body_need_not_register(client_for, body_reporter, plan):
    response = client_for(body_reporter).get(LIST_URL)
    assert response.status_code == 200
    assert response.context["sections"][0].rows == []
    assert "không thuộc diện phải ban hành kế hoạch thực hiện" in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "leader", "admin_user"])
def test_overseers_see_every_expected_organisation(request, client_for, reporter, plan, persona):
    register_directly(plan, reporter.memberships.get().organisation, reporter, number="45-KH/HU")
    response = client_for(request.getfixturevalue(persona)).get(LIST_URL)
    html = response.content.decode()

    (section,) = response.context["sections"]
    assert len(section.rows) == 14
    assert {row.organisation.kind for row in section.rows} == {
        OrganisationKind.DISTRICT_COMMITTEE,
        OrganisationKind.AFFILIATED_COMMITTEE,
    }
    assert "45-KH/HU" in html
    assert sum(row.subplan is None for row in section.rows) == 13
    statuses = {row.organisation.code: row.status for row in section.rows}
    assert statuses["TV-HCL"] == "Đã đăng ký"  # no due date: neither on time nor late
    assert statuses["TV-HCK"] == "Chưa đăng ký"
    assert "Chưa đăng ký" in html
    assert "Chưa quy định hạn" in html
    assert "Đã đăng ký: 1/14 đơn vị." in html
    assert "Đăng ký kế hoạch thực hiện</a>" not in html  # overseers do not register


def test_buckets_sort_organisations_by_registration_and_due_date():
    hcl, hck, hcn, hct = (
        Organisation(pk=i, code=code, name=code, kind="district_committee")
        for i, code in enumerate(["TV-HCL", "TV-HCK", "TV-HCN", "TV-HCT"], start=1)
    )
    due = dt.date(2026, 3, 31)
    on_time = SubPlan(organisation=hcl, registered_at=at(2026, 3, 31, hour=23))
    late = SubPlan(organisation=hck, registered_at=at(2026, 4, 1, hour=0))
    expected = [hcl, hck, hcn, hct]

    def buckets(today, due_on):
        registered = {s.organisation_id: s for s in (on_time, late)}
        return [subplan_bucket(registered.get(o.pk), due_on, today) for o in expected]

    assert buckets(dt.date(2026, 3, 31), due) == [ON_TIME, LATE, PENDING, PENDING]
    assert buckets(dt.date(2026, 4, 1), due) == [ON_TIME, LATE, OVERDUE, OVERDUE]
    assert buckets(dt.date(2027, 1, 1), None) == [ON_TIME, ON_TIME, PENDING, PENDING]
    assert subplan_bucket(None, due, due) == PENDING


def test_database_buckets_agree_with_subplan_bucket_in_every_case(plan, reporter):
    """The buckets counted in SQL (``with_bucket``, ``bucket_summary``) follow the same
    rules as ``subplan_bucket``: sub-plans registered on either side of the end of the
    due day in Asia/Ho_Chi_Minh, no due date, and today before, on and after the due day."""
    due = dt.date(2026, 3, 31)
    end = end_of_day(due)
    moments = [
        at(2026, 1, 5),  # well before
        dt.datetime(2026, 3, 31, 23, 59, tzinfo=ZONE),  # the due day's last minute (UTC 16:59)
        end,  # the due day's last instant
        end + dt.timedelta(microseconds=1),  # the next day's first instant
        dt.datetime(2026, 4, 1, 0, 30, tzinfo=ZONE),  # still 31/03 in UTC, yet late
        at(2026, 5, 1),  # well after
    ]
    expected = subplan_expected_organisations(plan, due)
    organisations = list(expected)
    assert len(organisations) > len(moments)  # some never register
    SubPlan.objects.bulk_create(
        SubPlan(
            plan=plan,
            organisation=org,
            number=f"{i}-KH/HU",
            issued_on=moment.date(),
            registered_at=moment,
            file=f"subplans/{plan.pk}/{i}.pdf",
            original_name="kh.pdf",
            extension="pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            sha256="0" * 64,
            registered_by=reporter,
        )
        for i, (org, moment) in enumerate(zip(organisations, moments, strict=False))
    )
    subplans = {s.organisation_id: s for s in SubPlan.objects.filter(plan=plan)}
    seen = set()
    for plan_due in (None, due):
        plan.subplans_due = plan_due
        for today in (due - dt.timedelta(days=1), due, due + dt.timedelta(days=1)):
            in_sql = {org.pk: org.bucket for org in with_bucket(expected, plan, today)}
            in_python = {
                org.pk: subplan_bucket(subplans.get(org.pk), plan_due, today)
                for org in organisations
            }
            assert in_sql == in_python, (plan_due, today)
            seen |= set(in_python.values())
            for bucket in bucket_summary(expected, plan, today):
                # Named in the usual order (organisations.ordering).
                members = sorted(
                    (org for org in organisations if in_python[org.pk] == bucket.key),
                    key=sort_key,
                )
                assert bucket.count == len(members), (plan_due, today, bucket.key)
                assert bucket.organisations == members[:BUCKET_NAMES]
    assert seen == {ON_TIME, LATE, PENDING, OVERDUE}
    plan.subplans_due = due
    on_the_day = {org.pk: org.bucket for org in with_bucket(expected, plan, due)}
    registered = [on_the_day[org.pk] for org in organisations[: len(moments)]]
    assert registered == [ON_TIME, ON_TIME, ON_TIME, LATE, LATE, LATE]


def test_list_page_shows_the_four_buckets_against_the_due_date(
    client_for, reporter, other_reporter, reviewer, plan, organisations
):
    plan.subplans_due = dt.date(2026, 3, 31)
    plan.save()
    with time_machine.travel(at(2026, 3, 20), tick=False):
        register_directly(plan, organisations["TV-HCL"], reporter, number="10-KH/HU")
        before = client_for(reviewer).get(LIST_URL)
    with time_machine.travel(at(2026, 4, 5), tick=False):
        register_directly(plan, organisations["TV-HCK"], other_reporter, number="11-KH/HU")
        after = client_for(reviewer).get(LIST_URL)

    def counts(response):
        (section,) = response.context["sections"]
        return {bucket.key: bucket.count for bucket in section.buckets}

    assert counts(before) == {ON_TIME: 1, LATE: 0, PENDING: 13, OVERDUE: 0}
    assert counts(after) == {ON_TIME: 1, LATE: 1, PENDING: 0, OVERDUE: 12}

    html = after.content.decode()
    for label in (
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Chưa hoàn thành – chưa đến hạn",
        "Chưa hoàn thành – quá hạn",
    ):
        assert label in html
    assert "31/03/2026" in html
    rows = {row.organisation.code: row.bucket for row in after.context["sections"][0].rows}
    assert rows["TV-HCL"] == ON_TIME
    assert rows["TV-HCK"] == LATE
    assert rows["TV-HCN"] == OVERDUE
    statuses = {row.organisation.code: row.status for row in after.context["sections"][0].rows}
    assert statuses["TV-HCK"] == "Hoàn thành quá hạn"


def test_list_query_count_does_not_grow_with_organisations(
    client_for, reporter, other_reporter, reviewer, plan, django_assert_max_num_queries
):
    register_directly(plan, reporter.memberships.get().organisation, reporter)
    register_directly(plan, other_reporter.memberships.get().organisation, other_reporter)
    client = client_for(reviewer)
    with django_assert_max_num_queries(20) as small:
        client.get(LIST_URL)

    province = province_pk()
    added = Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{i}", name=f"Huyện ủy {i}", kind="district_committee", parent_id=province
        )
        for i in range(200)
    )
    SubPlan.objects.bulk_create(
        SubPlan(
            plan=plan,
            organisation=org,
            number=f"{i}-KH/HU",
            issued_on=dt.date(2026, 3, 1),
            file=f"subplans/{plan.pk}/{i}.pdf",
            original_name="kh.pdf",
            extension="pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            sha256="0" * 64,
            registered_by=reporter,
        )
        for i, org in enumerate(added[:100])
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST_URL)
    (section,) = response.context["sections"]
    assert len(section.rows) == PAGE_SIZE  # one page; the pager and buckets count all
    assert section.pager.total == section.expected_count == 214


def test_reporters_list_is_also_a_fixed_number_of_queries(
    client_for, reporter, plan, django_assert_max_num_queries
):
    client = client_for(reporter)
    with django_assert_max_num_queries(20) as small:
        client.get(LIST_URL)
    province = province_pk()
    Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{i}", name=f"Huyện ủy {i}", kind="district_committee", parent_id=province
        )
        for i in range(200)
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST_URL)


def test_a_district_reviewer_sees_the_sub_plans_of_its_own_subtree_only(
    client_for, plan, district_reviewer, reviewer
):
    rows = client_for(district_reviewer).get(LIST_URL).context["sections"][0].rows
    assert {row.organisation.code for row in rows} == {"TV-HCL"}
    province = client_for(reviewer).get(LIST_URL).context["sections"][0]
    assert "TV-HCK" in {row.organisation.code for row in province.rows}
