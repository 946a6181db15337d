"""The report pages: who may do what, bad input, concurrency, query budgets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.models import Organisation, Role
from reports.models import AnnualReport, Attachment, EventKind, ReportStatus
from reports.paging import PAGE_SIZE
from reports.services.reports import report_accept, report_return
from tests.conftest import make_user
from tests.reports.factories import (
    PDF,
    form_data,
    make_cycle,
    make_report,
    province_pk,
    submitted_report,
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer)


@pytest.fixture
def report(cycle, organisations, reporter):
    return make_report(cycle, organisations["TV-HCL"], reporter)


# Access: every view, every persona ------------------------------------------------------


def report_urls(report):
    return {
        "detail": reverse("reports:report_detail", args=[report.pk]),
        "edit": reverse("reports:report_edit", args=[report.pk]),
    }


def test_anonymous_is_sent_to_sign_in_everywhere(client, report, cycle):
    for url in [
        *report_urls(report).values(),
        reverse("reports:inbox"),
        reverse("reports:cycle_list"),
        reverse("reports:cycle_detail", args=[cycle.pk]),
        reverse("reports:cycle_create"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dang-nhap/")


def test_reporter_sees_and_edits_own_report(client_for, reporter, report):
    client = client_for(reporter)
    detail = client.get(report_urls(report)["detail"])
    assert detail.status_code == 200
    response = client.get(report_urls(report)["edit"])
    assert response.status_code == 200
    assert "Nhiệm vụ 3:" in response.content.decode()
    for page in (detail, response):  # a year is not a quantity: no thousands separator
        assert "2026" in page.content.decode()
        assert "2.026" not in page.content.decode()


def test_other_district_gets_404_on_every_report_url(client_for, other_reporter, report):
    client = client_for(other_reporter)
    for url in report_urls(report).values():
        assert client.get(url).status_code == 404, url
        assert client.post(url, form_data(report)).status_code in (404, 405), url
    for name in ("report_return", "report_accept", "report_reopen", "attachment_upload"):
        assert client.post(reverse(f"reports:{name}", args=[report.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "leader"])
def test_reviewers_and_leaders_read_but_never_edit_content(request, client_for, persona, report):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(report_urls(report)["detail"]).status_code == 200
    assert client.get(report_urls(report)["edit"]).status_code == 403
    assert client.post(report_urls(report)["edit"], form_data(report)).status_code == 403
    report.refresh_from_db()
    assert report.overall_assessment == ""


def test_leader_cannot_review(client_for, leader, cycle, organisations, reporter):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    client = client_for(leader)
    url = reverse("reports:report_accept", args=[report.pk])
    assert client.post(url).status_code == 403
    assert client.get(reverse("reports:inbox")).status_code == 200  # reads the list
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_reporter_cannot_review_own_report(client_for, reporter, cycle, organisations):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    response = client_for(reporter).post(reverse("reports:report_accept", args=[report.pk]))
    assert response.status_code == 403
    assert client_for(reporter).get(reverse("reports:inbox")).status_code == 403


def test_wrong_methods_are_405(client_for, reviewer, reporter, report):
    assert client_for(reporter).put(report_urls(report)["edit"]).status_code == 405
    assert client_for(reporter).post(report_urls(report)["detail"]).status_code == 405
    for name in ("report_return", "report_accept", "report_reopen", "attachment_upload"):
        assert (
            client_for(reviewer).get(reverse(f"reports:{name}", args=[report.pk])).status_code
            == 405
        )
    assert client_for(reviewer).post(reverse("reports:inbox")).status_code == 405


# Filling in and submitting --------------------------------------------------------------


def test_reporter_saves_a_half_filled_draft(client_for, reporter, report):
    data = form_data(report)
    data["s2-results"] = ""
    data["i-T3_ADMITTED"] = "1.234"
    response = client_for(reporter).post(report_urls(report)["edit"], data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.values.get(indicator__code="T3_ADMITTED").value == 1234
    page = client_for(reporter).get(report_urls(report)["edit"]).content.decode()
    assert "Lưu lần cuối lúc" in page
    assert 'value="1.234"' in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e9", "không phải là số hợp lệ"),
        ("-3", "không được âm"),
        ("abc", "không phải là số hợp lệ"),
        ("12,5", "phải là số nguyên"),
        ("9999999999999", "quá lớn"),
    ],
)
def test_a_bad_figure_gets_a_message_and_keeps_its_saved_value_while_the_rest_is_saved(
    client_for, reporter, report, typed, message
):
    data = form_data(report)
    data["i-T3_ADMITTED"] = typed
    response = client_for(reporter).post(report_urls(report)["edit"], data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Đã lưu bản nháp, trừ 1 ô chưa hợp lệ" in page
    form = response.context["form"]
    assert form["i-T3_ADMITTED"].value() == typed  # shown as typed, to be fixed
    report.refresh_from_db()
    assert report.overall_assessment == data["overall_assessment"]
    assert report.values.get(indicator__code="T3_ADMITTED").value is None  # as saved before
    assert report.events.filter(kind=EventKind.SAVED).count() == 1
    assert form["version"].value() == str(report.version)


def test_a_bad_version_saves_nothing(client_for, reporter, report):
    data = form_data(report, version="x")
    data["i-T3_ADMITTED"] = "abc"
    response = client_for(reporter).post(report_urls(report)["edit"], data)
    assert response.status_code == 200
    assert "Chưa lưu" in response.content.decode()
    report.refresh_from_db()
    assert report.overall_assessment == ""
    assert report.events.filter(kind=EventKind.SAVED).count() == 0


def test_submit_shows_errors_next_to_fields_and_keeps_the_text(client_for, reporter, report):
    data = form_data(report, submit="1")
    data["i-T3_ADMITTED"] = "10"
    data["i-T3_ADMITTED_WOMEN"] = "11"
    data["s5-results"] = ""
    response = client_for(reporter).post(report_urls(report)["edit"], data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "i-T3_ADMITTED_WOMEN" in form.errors
    assert "s5-results" in form.errors
    page = response.content.decode()
    assert page.index("Đã lưu bản nháp.") < page.index("Chưa gửi được: còn 2 mục")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.sections.get(task__number=1).results == "Kết quả nhiệm vụ 1"
    # The form now carries the saved version: fixing and submitting works at once.
    assert form["version"].value() == str(report.version)
    data = form_data(report, submit="1")
    response = client_for(reporter).post(report_urls(report)["edit"], data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_submit_says_on_time(client_for, reporter, report):
    response = client_for(reporter).post(
        report_urls(report)["edit"], form_data(report, submit="1"), follow=True
    )
    assert "Đã gửi báo cáo đúng hạn" in response.content.decode()


def test_double_clicked_submit_records_one_submission(client_for, reporter, report):
    data = form_data(report, submit="1")
    client = client_for(reporter)
    first = client.post(report_urls(report)["edit"], data)
    second = client.post(report_urls(report)["edit"], data, follow=True)
    assert first.status_code == 302
    assert "không cần gửi lại" in second.content.decode()
    report.refresh_from_db()
    assert report.submission_count == 1
    assert report.events.filter(kind=EventKind.SUBMITTED).count() == 1


def test_two_people_editing_one_draft_never_overwrite_silently(
    client_for, reporter, report, organisations
):
    colleague = make_user("colleague", organisation=organisations["TV-HCL"], role=Role.REPORTER)
    opened = form_data(report)  # both open the page at the same version
    first = dict(opened, overall_assessment="Văn bản của người thứ nhất")
    second = dict(opened, overall_assessment="Văn bản của người thứ hai")
    assert client_for(reporter).post(report_urls(report)["edit"], first).status_code == 302
    response = client_for(colleague).post(report_urls(report)["edit"], second)
    assert response.status_code == 200
    page = response.content.decode()
    assert "CHƯA được lưu" in page
    assert "Văn bản của người thứ nhất" in page  # the saved version, shown beside
    assert "Văn bản của người thứ hai" in page  # this user's text, still in the form
    report.refresh_from_db()
    assert report.overall_assessment == "Văn bản của người thứ nhất"
    # Saving again from the refreshed form is a deliberate overwrite and works.
    again = dict(second, version=response.context["form"]["version"].value())
    assert client_for(colleague).post(report_urls(report)["edit"], again).status_code == 302
    report.refresh_from_db()
    assert report.overall_assessment == "Văn bản của người thứ hai"


def test_submitted_report_cannot_be_edited(client_for, reporter, cycle, organisations):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    client = client_for(reporter)
    response = client.post(report_urls(report)["edit"], form_data(report, overall_assessment="x"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.overall_assessment != "x"


# Review ----------------------------------------------------------------------------------


def test_reviewer_returns_with_section_comments_and_reporter_sees_them(
    client_for, reviewer, reporter, cycle, organisations
):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    response = client_for(reviewer).post(
        reverse("reports:report_return", args=[report.pk]),
        {"comment": "Đề nghị bổ sung", "section-3": "Thiếu số đảng viên nữ <b>x</b>"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    page = client_for(reporter).get(report_urls(report)["edit"]).content.decode()
    assert "Đề nghị bổ sung" in page
    assert "Thiếu số đảng viên nữ &lt;b&gt;x&lt;/b&gt;" in page  # escaped


def test_return_without_comment_is_refused(client_for, reviewer, reporter, cycle, organisations):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    response = client_for(reviewer).post(
        reverse("reports:report_return", args=[report.pk]), {"comment": ""}, follow=True
    )
    assert "Vui lòng ghi ý kiến" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_reviewer_sees_what_changed_since_previous_submission(
    client_for, reviewer, reporter, cycle, organisations
):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    report = report_return(report=report, comment="Sửa nhiệm vụ 2", actor=reviewer)
    data = form_data(report, submit="1")
    data["s2-results"] = "Kết quả mới của nhiệm vụ 2"
    data["i-T1_TRAINING_CLASSES"] = "1234"
    client_for(reporter).post(report_urls(report)["edit"], data)
    response = client_for(reviewer).get(report_urls(report)["detail"])
    changes = {c.label: c for c in response.context["changes"]["changes"]}
    assert changes["Nhiệm vụ 2 — Kết quả đạt được"].after == "Kết quả mới của nhiệm vụ 2"
    assert any(c.after == "1.234" for c in changes.values())
    assert "Thay đổi so với lần gửi trước" in response.content.decode()


def test_accept_locks_and_reopen_unlocks(client_for, reviewer, reporter, cycle, organisations):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    client = client_for(reviewer)
    client.post(reverse("reports:report_accept", args=[report.pk]), {"note": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    page = client_for(reporter).get(report_urls(report)["detail"]).content.decode()
    assert "đã được tiếp nhận và khóa" in page
    assert client_for(reporter).get(report_urls(report)["edit"]).status_code == 302
    client = client_for(reviewer)
    response = client.post(reverse("reports:report_reopen", args=[report.pk]), {"reason": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED  # a reason is required
    client.post(reverse("reports:report_reopen", args=[report.pk]), {"reason": "Sai số liệu"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert response.status_code == 302


def test_history_lists_every_step(client_for, reviewer, reporter, cycle, organisations):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    report_accept(report=report, actor=reviewer, comment="Tốt")
    page = client_for(reporter).get(report_urls(report)["detail"]).content.decode()
    for label in ("Tạo báo cáo", "Lưu nháp", "Gửi báo cáo", "Tiếp nhận"):
        assert label in page


# Inbox -------------------------------------------------------------------------------------


def test_inbox_filters_by_status_and_lateness(
    client_for, reviewer, reporter, other_reporter, cycle, organisations
):
    import datetime as dt

    import time_machine

    on_time = submitted_report(cycle, organisations["TV-HCL"], reporter)
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC), tick=False):
        late = submitted_report(cycle, organisations["TV-HCK"], other_reporter)
    client = client_for(reviewer)

    def listed(query):
        return {r.pk for r in client.get(reverse("reports:inbox") + query).context["page"]}

    assert listed("") == {on_time.pk, late.pk}
    assert listed("?lateness=late") == {late.pk}
    assert listed("?lateness=on_time") == {on_time.pk}
    assert listed("?status=accepted") == set()


def make_many_reports(cycle, count):
    start = Organisation.objects.filter(code__startswith="X-").count()
    province = province_pk()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            code=f"X-{i}", name=f"Huyện ủy {i}", kind="district_committee", parent_id=province
        )
        for i in range(start, start + count)
    )
    AnnualReport.objects.bulk_create(
        AnnualReport(cycle=cycle, organisation=o, reports_to_id=province) for o in organisations
    )


def test_inbox_query_count_is_the_same_at_3_and_200_reports(
    client_for, reviewer, cycle, django_assert_max_num_queries
):
    make_many_reports(cycle, 3)
    client = client_for(reviewer)
    # Its page is read one status at a time, and only while it is not full: with three
    # drafts, the four statuses (reports.keyset).
    with django_assert_max_num_queries(14) as small:
        response = client.get(reverse("reports:inbox"))
    assert len(response.context["page"]) == 3
    make_many_reports(cycle, 197)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("reports:inbox"))
    assert len(response.context["page"]) == 50
    assert response.context["page"].has_next


def test_cycle_page_query_count_is_fixed(
    client_for, reviewer, cycle, django_assert_max_num_queries
):
    client = client_for(reviewer)
    # Eight more than one level needed: the plan's top committee and its lineage, the
    # reviewer's committees' lineage, the plan's reporting lines, the level breadcrumb;
    # two for the late units' count (the plan's reporting scope, the count).
    with django_assert_max_num_queries(26) as small:
        client.get(cycle.get_absolute_url())
    make_many_reports(cycle, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(cycle.get_absolute_url())
    assert len(response.context["rows"]) == PAGE_SIZE  # one page; the counts cover all
    assert response.context["pager"].total == response.context["expected"] > 200


def test_report_page_query_count_is_fixed(
    client_for, reviewer, reporter, cycle, organisations, django_assert_max_num_queries
):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    client = client_for(reviewer)
    with django_assert_max_num_queries(25):
        client.get(report_urls(report)["detail"])


# Cycles ------------------------------------------------------------------------------------


def test_reviewer_opens_edits_and_closes_a_cycle(client_for, reviewer, plan):
    client = client_for(reviewer)
    response = client.post(
        reverse("reports:cycle_create") + "?plan=112-KH-TU",
        {
            "year": "2027", "period_start": "01/01/2027", "period_end": "31/12/2027",
            "opens_on": "01/11/2027", "due_on": "05/12/2027", "closes_on": "31/01/2028",
            "reminder_offsets": "-7, -1, 3",
        },
    )  # fmt: skip
    assert response.status_code == 302
    cycle = plan.cycles.get(year=2027)
    assert cycle.due_on.isoformat() == "2027-12-05"  # read day first
    assert cycle.reminder_offsets == [-7, -1, 3]
    response = client.post(
        reverse("reports:cycle_edit", args=[cycle.pk]),
        {
            "period_start": "01/01/2027", "period_end": "31/12/2027", "opens_on": "01/11/2027",
            "due_on": "10/12/2027", "closes_on": "31/01/2028", "reminder_offsets": "-3",
        },
    )  # fmt: skip
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.due_on.isoformat() == "2027-12-10"
    client.post(reverse("reports:cycle_close", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert not cycle.is_open
    assert client.get(reverse("reports:cycle_edit", args=[cycle.pk])).status_code == 302


def test_cycle_form_rejects_disordered_dates(client_for, reviewer, plan):
    response = client_for(reviewer).post(
        reverse("reports:cycle_create"),
        {
            "year": "2027", "period_start": "01/01/2027", "period_end": "31/12/2027",
            "opens_on": "01/12/2027", "due_on": "05/11/2027", "closes_on": "31/01/2028",
            "reminder_offsets": "abc",
        },
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hạn nộp phải sau ngày mở nhận báo cáo" in page
    assert "không phải là số ngày hợp lệ" in page
    assert not plan.cycles.filter(year=2027).exists()


@pytest.mark.parametrize("persona", ["reporter", "leader"])
def test_only_reviewers_manage_cycles(request, client_for, persona, cycle):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("reports:cycle_create")).status_code == 403
    assert client.get(reverse("reports:cycle_edit", args=[cycle.pk])).status_code == 403
    assert client.post(reverse("reports:cycle_close", args=[cycle.pk])).status_code == 403
    assert client.get(cycle.get_absolute_url()).status_code == 200
    cycle.refresh_from_db()
    assert cycle.is_open


def test_reporter_sees_only_own_row_on_cycle_page(client_for, reporter, cycle):
    rows = client_for(reporter).get(cycle.get_absolute_url()).context["rows"]
    assert [row.organisation.code for row in rows] == ["TV-HCL"]


def test_reporter_starts_report_with_post_only(
    client_for, reporter, other_reporter, cycle, reviewer
):
    url = reverse("reports:report_start", args=[cycle.pk, "TV-HCL"])
    assert client_for(reporter).get(url).status_code == 200
    assert not AnnualReport.objects.exists()
    response = client_for(reporter).post(url)
    assert response.status_code == 302
    assert AnnualReport.objects.filter(organisation__code="TV-HCL").count() == 1
    assert client_for(other_reporter).post(url).status_code == 404
    assert (
        client_for(reviewer)
        .post(reverse("reports:report_start", args=[cycle.pk, "TV-HCK"]))
        .status_code
        == 403
    )


# Attachments -------------------------------------------------------------------------------


def upload(client, report, name, data, kind="signed_scan"):
    return client.post(
        reverse("reports:attachment_upload", args=[report.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_signed_scan_is_stored_privately_with_checksum(client_for, reporter, report, settings):
    response = upload(client_for(reporter), report, "../../bien-ban ký.pdf", PDF)
    assert "Đã đính kèm tệp" in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.original_name == "bien-ban ký.pdf"
    assert ".." not in attachment.file.name
    assert "bien-ban" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    assert len(attachment.sha256) == 64
    assert str(settings.MEDIA_ROOT) in attachment.file.path
    url = attachment.get_absolute_url()
    download = client_for(reporter).get(url)
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "data", "kind", "message"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "signed_scan", "không đúng định dạng"),
        ("virus.pdf", b"MZ\x90\x00 not a pdf", "supporting", "không đúng định dạng"),
        ("bang.xlsx", b"PK\x03\x04 broken zip", "supporting", "không đúng định dạng"),
        ("rong.pdf", b"", "signed_scan", "rỗng"),
    ],
)
def test_wrong_files_are_refused_with_a_message(
    client_for, reporter, report, name, data, kind, message
):
    response = upload(client_for(reporter), report, name, data, kind)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_oversized_file_is_refused(client_for, reporter, report, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = upload(client_for(reporter), report, "to.pdf", PDF + b"0" * 200)
    assert "vượt quá giới hạn" in response.content.decode()
    assert not Attachment.objects.exists()


def test_attachment_is_not_served_to_other_organisations(
    client_for, reporter, other_reporter, reviewer, leader, report
):
    upload(client_for(reporter), report, "scan.pdf", PDF)
    url = Attachment.objects.get().get_absolute_url()
    assert client_for(other_reporter).get(url).status_code == 404
    assert client_for(reviewer).get(url).status_code == 200
    assert client_for(leader).get(url).status_code == 200
    assert client_for(reviewer).post(url).status_code == 405


def test_reviewer_cannot_upload_or_remove(client_for, reporter, reviewer, report):
    upload(client_for(reporter), report, "scan.pdf", PDF)
    attachment = Attachment.objects.get()
    assert upload(client_for(reviewer), report, "x.pdf", PDF).status_code == 403
    remove = reverse("reports:attachment_remove", args=[report.pk, attachment.pk])
    assert client_for(reviewer).post(remove).status_code == 403
    client_for(reporter).post(remove)
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert attachment.file.storage.exists(attachment.file.name)  # kept for the record


def test_no_upload_after_submission(client_for, reporter, cycle, organisations):
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    response = upload(client_for(reporter), report, "scan.pdf", PDF)
    assert "không thể thêm tệp" in response.content.decode()
    assert not Attachment.objects.exists()
