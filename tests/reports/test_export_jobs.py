"""The dashboard's and the rollup's files when they are large: written by a job, with
its progress on a page of its own and a download when ready, for the person who asked."""

import datetime as dt
import io
import os
import threading
import time
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.db import IntegrityError
from django.urls import reverse
from kombu.exceptions import OperationalError

import reports.export_jobs.build as build
from plan112.celery import app as celery_app
from reports.export_jobs.build import (
    HEARTBEAT_LOST_AFTER,
    QUEUED_LOST_AFTER,
    export_build,
    export_request,
)
from reports.figures import tallies
from reports.jobs.exports import SOFT_TIME_LIMIT, TIME_LIMIT, build_export
from reports.models import ExportJob, ExportKind, ExportStatus
from reports.services.reports import report_accept
from tests.reports.factories import make_cycle, submitted_report
from tests.reports.test_summary import add_organisations_with_reports

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 25, 9, tzinfo=ZONE)
BROKER_DOWN = "Không gửi được yêu cầu tới hàng đợi công việc; vui lòng thử lại sau."
LOST = "máy xử lý ngừng hoạt động"
FORMATS = ["xlsx", "csv", "excel.csv"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def large(settings):
    """Every file with more than one organisation counts as large."""
    settings.EXPORT_IMMEDIATE_ROWS = 1


@pytest.fixture
def queue(monkeypatch):
    """The jobs sent to the broker, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, kwargs: calls.append((name, kwargs)))
    return calls


@pytest.fixture
def cycle(plan, reviewer, reporter, other_reporter, organisations):
    """2026: Càng Long accepted, Cầu Kè submitted, the other twelve missing."""
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=ZONE), tick=False):
        cycle = make_cycle(plan, reviewer)
        report_accept(
            report=submitted_report(cycle, organisations["TV-HCL"], reporter), actor=reviewer
        )
        submitted_report(cycle, organisations["TV-HCK"], other_reporter)
    return cycle


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def dashboard_export(cycle, fmt="xlsx", query=""):
    url = reverse("reports:dashboard_export", args=[cycle.pk, fmt])
    return f"{url}?{query}" if query else url


def rollup_export(plan, fmt="xlsx", query=""):
    url = reverse("reports:rollup_export", args=[plan.code, fmt])
    return f"{url}?{query}" if query else url


def contents(data: bytes, fmt: str):
    """A CSV file's bytes; a workbook's parts, each as bytes. (The zip's own dates of the
    worksheets are the times their temporary files were written: not the content.)"""
    if fmt != "xlsx":
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def job_url(job, name="export_job_detail"):
    return reverse(f"reports:{name}", args=[job.pk])


def post(client, url, capture):
    """Post as the page's button does, running what the request queued on commit."""
    with capture(execute=True):
        return client.post(url)


def queued_job(user, cycle, *, kind=ExportKind.DASHBOARD, fmt="xlsx", query="don_vi=TV-TU"):
    job, created = export_request(user=user, kind=kind, fmt=fmt, cycle=cycle, query=query)
    assert created
    return job


# Small files at once, large ones by a job ---------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_small_scope_downloads_at_once_and_starts_no_job(client_for, reviewer, cycle, method):
    response = getattr(client_for(reviewer), method)(dashboard_export(cycle, "csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="theo-doi-')
    assert response.content.decode("utf-8-sig").count("\r\n") == 15  # header and 14 units
    assert not ExportJob.objects.exists()


def test_a_large_scope_posted_queues_a_job_and_shows_its_page(
    client_for, reviewer, cycle, large, queue, django_capture_on_commit_callbacks
):
    url = dashboard_export(cycle, "xlsx", "loai=district_committee&trang=2&loai=x")
    response = post(client_for(reviewer), url, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == job_url(job)
    assert queue == [("reports.build_export", {"export_id": job.pk})]
    assert (job.requested_by, job.kind, job.fmt, job.cycle) == (
        reviewer, ExportKind.DASHBOARD, "xlsx", cycle,
    )  # fmt: skip
    # The filters as applied (the last "loai", the level named, the page number dropped).
    assert job.query == "don_vi=TV-TU"
    assert job.status == ExportStatus.QUEUED
    page = client_for(reviewer).get(job_url(job)).content.decode()
    assert "Đang chờ đến lượt…" in page
    assert f'hx-get="{job_url(job, "export_job_status")}"' in page


def test_the_filters_of_the_page_are_the_jobs(
    client_for, reviewer, cycle, large, queue, django_capture_on_commit_callbacks
):
    url = dashboard_export(cycle, "csv", "don_vi=TV-TU&loai=district_committee&trang_thai=missing")
    post(client_for(reviewer), url, django_capture_on_commit_callbacks)
    assert ExportJob.objects.get().query == (
        "don_vi=TV-TU&loai=district_committee&trang_thai=missing"
    )


def test_a_double_submit_starts_one_job(
    client_for, reviewer, cycle, large, queue, django_capture_on_commit_callbacks
):
    client = client_for(reviewer)
    first = post(client, dashboard_export(cycle), django_capture_on_commit_callbacks)
    second = post(client, dashboard_export(cycle), django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    assert first["Location"] == second["Location"] == job_url(job)
    assert len(queue) == 1
    page = client.get(second["Location"]).content.decode()
    assert "Tệp này đang được lập theo yêu cầu trước của đồng chí." in page


def test_another_format_or_person_is_another_job(
    client_for, reviewer, admin_user, cycle, large, queue, django_capture_on_commit_callbacks
):
    post(client_for(reviewer), dashboard_export(cycle), django_capture_on_commit_callbacks)
    post(client_for(reviewer), dashboard_export(cycle, "csv"), django_capture_on_commit_callbacks)
    post(client_for(admin_user), dashboard_export(cycle), django_capture_on_commit_callbacks)
    assert ExportJob.objects.count() == len(queue) == 3


def test_the_database_holds_one_active_job_per_identical_request(reviewer, cycle, queue):
    first = queued_job(reviewer, cycle)
    again, created = export_request(
        user=reviewer, kind=ExportKind.DASHBOARD, fmt="xlsx", cycle=cycle, query="don_vi=TV-TU"
    )
    assert (again, created) == (first, False)
    # PostgreSQL names the constraint; SQLite names its columns.
    with pytest.raises(IntegrityError, match=r"export_one_active_per_request|UNIQUE constraint"):
        ExportJob.objects.create(
            requested_by=reviewer, kind=ExportKind.DASHBOARD, fmt="xlsx", cycle=cycle,
            query="don_vi=TV-TU",
        )  # fmt: skip


def test_a_get_on_a_large_scope_offers_the_button_and_builds_nothing(
    client_for, reviewer, cycle, large, queue
):
    url = dashboard_export(cycle, "xlsx", "loai=district_committee")
    response = client_for(reviewer).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "Tệp liệt kê 9 đơn vị, nhiều hơn 1 nên được lập ở máy xử lý" in page
    assert f'<form method="post" action="{url}">' in page
    assert "Bắt đầu lập tệp" in page
    assert not ExportJob.objects.exists()
    assert queue == []


def test_the_pages_buttons_post_with_the_pages_filters(client_for, reviewer, leader, cycle, plan):
    page = client_for(reviewer).get(
        reverse("reports:dashboard", args=[cycle.pk]) + "?loai=district_committee&trang=1"
    )
    html = page.content.decode()
    action = dashboard_export(cycle, "xlsx", "loai=district_committee")
    assert f'<form method="post" class="d-flex flex-wrap gap-2" action="{action}">' in html
    assert f'formaction="{dashboard_export(cycle, "csv", "loai=district_committee")}"' in html
    assert "csrfmiddlewaretoken" in html
    html = client_for(leader).get(reverse("reports:rollup", args=[plan.code])).content.decode()
    assert f'action="{rollup_export(plan, "xlsx", "nam=2026")}"' in html


# The job's file ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["dashboard", "rollup"])
def test_the_jobs_file_equals_the_file_answered_at_once(
    client_for, reviewer, cycle, plan, settings, queue, fmt, kind,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client = client_for(reviewer)
    url = dashboard_export(cycle, fmt) if kind == "dashboard" else rollup_export(plan, fmt)
    at_once = client.get(url)
    assert at_once.status_code == 200

    settings.EXPORT_IMMEDIATE_ROWS = 0
    post(client, url, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert export_build(export_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (ExportStatus.DONE, 100, "")
    assert job.rows_done == job.rows_total > 0
    download = client.get(job_url(job, "export_job_download"))
    assert download.status_code == 200
    assert contents(b"".join(download.streaming_content), fmt) == contents(at_once.content, fmt)
    assert download["Content-Type"] == at_once["Content-Type"]
    assert download["Cache-Control"] == "no-store, private"
    # The same name as the file given at once, in full.
    full_name = at_once["Content-Disposition"].split("filename*=UTF-8''")[1]
    assert full_name in download["Content-Disposition"]


def test_a_done_job_shows_the_download_and_stops_polling(client_for, reviewer, cycle, queue):
    job = queued_job(reviewer, cycle, fmt="csv")
    assert export_build(export_id=job.pk)
    page = client_for(reviewer).get(job_url(job, "export_job_status")).content.decode()
    assert "hx-trigger" not in page
    assert f'href="{job_url(job, "export_job_download")}"' in page
    assert "Tải tệp về" in page
    assert "Đã ghi 14 đơn vị." in page
    assert "tệp được giữ ít nhất đến 26/12/2026 09:00" in page
    back = reverse("reports:dashboard", args=[job.cycle_id]) + "?don_vi=TV-TU"
    assert f'<a href="{back}">Quay lại bảng theo dõi báo cáo</a>' in page


def test_a_running_job_shows_its_rows_and_polls(client_for, reviewer, cycle, queue):
    job = queued_job(reviewer, cycle)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, rows_done=12000, rows_total=52000, progress=23,
        heartbeat_at=NOW,
    )  # fmt: skip
    page = client_for(reviewer).get(job_url(job)).content.decode()
    assert "Đã ghi 12.000/52.000 đơn vị (23%)" in page
    assert '<progress id="tien-do-xuat-tep" class="w-100" max="100" value="23">' in page
    assert 'hx-trigger="every 1s"' in page


def test_progress_is_written_every_thousand_rows_at_most_once_a_second(
    reviewer, cycle, queue, monkeypatch
):
    """The writer reports every row; the job writes rows done, the percentage and the
    heartbeat only after a thousand rows and a second, and at the last row."""
    job = queued_job(reviewer, cycle)
    seconds = [0.0]
    monkeypatch.setattr(build, "clock", lambda: seconds[0])
    seen = []

    def writer(board, fmt, out, progress):
        for done in range(1, 5001):
            seconds[0] = done * 0.0003 if done < 3000 else 1 + done * 0.0003
            progress(done, 5000)
            state = ExportJob.objects.values_list("rows_done", "rows_total", "progress").get()
            if not seen or seen[-1] != state:
                seen.append(state)
        out.write(b"ok")

    monkeypatch.setattr(build, "write_dashboard_file", writer)
    assert export_build(export_id=job.pk)
    seen.append(ExportJob.objects.values_list("rows_done", "rows_total", "progress").get())
    # Before 3,000 rows less than a second has passed: no write; then one write at the
    # 3,000th row (a second and 1,000 rows), none in the next second, one at the last row,
    # and 100 once the file is stored (the board's own count of its rows).
    assert seen == [(0, 14, 0), (3000, 5000, 60), (5000, 5000, 99), (14, 14, 100)]


def test_the_queued_job_goes_through_celery_and_writes_the_file(
    reviewer, cycle, settings, django_capture_on_commit_callbacks
):
    # Eager mode, set through Django's settings (which Celery reads live): the job runs
    # in-process through Celery's own call path, under its registered name.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        job, created = export_request(
            user=reviewer, kind=ExportKind.ROLLUP, fmt="xlsx", cycle=cycle, query="nam=2026"
        )
    job.refresh_from_db()
    assert created
    assert (job.status, job.progress, job.file_name) == (
        ExportStatus.DONE, 100, "Tổng hợp năm 2026 - Kế hoạch 112-KH-TU.xlsx",
    )  # fmt: skip
    assert job.file.size > 0


# Failures ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "error", [OperationalError("broker down"), ConnectionRefusedError(111, "refused")]
)
def test_a_broker_that_is_down_fails_the_job_with_a_message_and_offers_to_retry(
    client_for, reviewer, cycle, large, monkeypatch, error
):
    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(celery_app, "send_task", refuse)
    client = client_for(reviewer)
    response = client.post(dashboard_export(cycle))
    job = ExportJob.objects.get()
    assert (job.status, job.error) == (ExportStatus.FAILED, BROKER_DOWN)
    assert not ExportJob.objects.filter(status__in=build.ACTIVE).exists()
    assert not job.file
    page = client.get(response["Location"]).content.decode()
    assert page.count(BROKER_DOWN) == 2  # the message after the click, and the job's page
    assert "Thử lại" in page
    assert f'action="{dashboard_export(cycle, "xlsx", "don_vi=TV-TU")}"' in page
    assert "hx-trigger" not in page


def lost_job(user, cycle, **fields):
    job = queued_job(user, cycle)
    ExportJob.objects.filter(pk=job.pk).update(**fields)
    return job


def test_a_running_job_whose_heartbeat_stopped_shows_lost_and_may_be_retried(
    client_for, reviewer, cycle, large, queue, django_capture_on_commit_callbacks
):
    silent = NOW - HEARTBEAT_LOST_AFTER - dt.timedelta(seconds=1)
    job = lost_job(reviewer, cycle, status=ExportStatus.RUNNING, heartbeat_at=silent, progress=40)
    page = client_for(reviewer).get(job_url(job)).content.decode()
    assert LOST in page
    assert "hx-trigger" not in page
    assert "Thử lại" in page
    job.refresh_from_db()
    assert (job.status, job.finished_at) == (ExportStatus.FAILED, NOW)

    post(client_for(reviewer), dashboard_export(cycle), django_capture_on_commit_callbacks)
    assert ExportJob.objects.filter(status=ExportStatus.QUEUED).exclude(pk=job.pk).count() == 1


def test_a_new_request_replaces_a_lost_job_before_its_page_is_seen(reviewer, cycle, queue):
    silent = NOW - HEARTBEAT_LOST_AFTER - dt.timedelta(seconds=1)
    job = lost_job(reviewer, cycle, status=ExportStatus.RUNNING, heartbeat_at=silent)
    again = queued_job(reviewer, cycle)
    assert again.pk != job.pk
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert LOST in job.error


def test_a_job_no_worker_took_shows_why(client_for, reviewer, cycle, queue):
    job = lost_job(reviewer, cycle, requested_at=NOW - QUEUED_LOST_AFTER - dt.timedelta(seconds=1))
    page = client_for(reviewer).get(job_url(job)).content.decode()
    assert "Sau 30 phút vẫn chưa có máy xử lý nào nhận việc lập tệp" in page
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED


def test_a_job_that_still_beats_is_left_running(client_for, reviewer, cycle, queue):
    job = lost_job(
        reviewer, cycle, status=ExportStatus.RUNNING, heartbeat_at=NOW - dt.timedelta(seconds=30)
    )
    page = client_for(reviewer).get(job_url(job)).content.decode()
    assert LOST not in page
    assert 'hx-trigger="every 1s"' in page
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_a_job_beats_while_a_long_step_reports_no_progress(reviewer, cycle, monkeypatch):
    """The heartbeat comes from a thread of the worker, whatever the writer reports."""
    monkeypatch.setattr(build, "HEARTBEAT_EVERY", 0.05)
    monkeypatch.setattr(celery_app, "send_task", lambda name, kwargs: None)
    job = queued_job(reviewer, cycle)
    beats = []

    def silent(board, fmt, out, progress):
        ExportJob.objects.update(heartbeat_at=NOW - dt.timedelta(hours=1))
        for _ in range(200):  # up to 10 s: the other thread writes the heartbeat
            time.sleep(0.05)
            beats.append(ExportJob.objects.values_list("heartbeat_at", flat=True).get())
            if beats[-1] == NOW:
                break
        out.write(b"ok")

    monkeypatch.setattr(build, "write_dashboard_file", silent)
    assert export_build(export_id=job.pk)
    assert beats[-1] == NOW
    assert not [t for t in threading.enumerate() if t.name.startswith("export-")]


def test_a_job_is_written_once(reviewer, cycle, queue):
    job = queued_job(reviewer, cycle, fmt="csv")
    assert export_build(export_id=job.pk)
    assert not export_build(export_id=job.pk)
    assert len(os.listdir(os.path.join(django_settings.MEDIA_ROOT, "exports"))) == 1


def test_a_failure_while_writing_is_recorded_and_leaves_no_file(
    reviewer, cycle, queue, monkeypatch, media
):
    def broken(board, fmt, out, progress):
        out.write(b"half a file")
        raise OSError("ổ đĩa đầy")

    monkeypatch.setattr(build, "write_dashboard_file", broken)
    job = queued_job(reviewer, cycle)
    assert not export_build(export_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "Không lập được tệp. Chi tiết lỗi: ổ đĩa đầy"
    assert not job.file
    assert not list(media.rglob("*.*"))


def test_a_job_over_its_time_limit_says_so(reviewer, cycle, queue, monkeypatch, media):
    def slow(board, fmt, out, progress):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(build, "write_dashboard_file", slow)
    job = queued_job(reviewer, cycle)
    assert not export_build(export_id=job.pk)
    job.refresh_from_db()
    assert job.error.startswith("Lập tệp quá thời gian cho phép.")
    assert (build_export.soft_time_limit, build_export.time_limit) == (SOFT_TIME_LIMIT, TIME_LIMIT)


def test_a_job_marked_lost_while_writing_keeps_no_file(reviewer, cycle, queue, monkeypatch, media):
    def overtaken(board, fmt, out, progress):
        ExportJob.objects.update(status=ExportStatus.FAILED, error="mất")
        out.write(b"late")

    monkeypatch.setattr(build, "write_dashboard_file", overtaken)
    job = queued_job(reviewer, cycle)
    assert not export_build(export_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportStatus.FAILED, "mất")
    assert not list(media.rglob("*.*"))


# Queries -------------------------------------------------------------------------------------

# The claim and the job; the person, their roles and the level (7); the dashboard's fixed
# reads, or the rollup's; the rows to write, the progress at the last row and the
# finishing UPDATE. The rollup's workbook adds its sheet of every unit's figures (one
# query, read as a stream). The same for 14 organisations as for 214. The dashboard's
# workbook adds its sheet of sub-plans (the buckets, counted when the sheet is written);
# the rollup reads closed years' figures from the stored counts, and stores those read
# for the first time (reports.figures.closed).
JOB_QUERIES = [
    (ExportKind.DASHBOARD, "xlsx", 26),
    (ExportKind.DASHBOARD, "csv", 21),
    (ExportKind.ROLLUP, "xlsx", 31),
    (ExportKind.ROLLUP, "csv", 29),
]


@pytest.mark.parametrize(("kind", "fmt", "budget"), JOB_QUERIES)
def test_the_job_takes_the_same_queries_for_few_and_many_organisations(
    reviewer, cycle, queue, django_assert_num_queries, kind, fmt, budget
):
    query = "don_vi=TV-TU&nam=2026" if kind == ExportKind.ROLLUP else "don_vi=TV-TU"

    def run() -> int:
        ExportJob.objects.all().delete()
        job = queued_job(reviewer, cycle, kind=kind, fmt=fmt, query=query)
        with django_assert_num_queries(budget):
            assert export_build(export_id=job.pk)
        job.refresh_from_db()
        return job.rows_total

    few = run()
    add_organisations_with_reports(cycle, 200)
    tallies.rebuild(cycle)  # the running totals the rollup reads, after a bulk load
    many = run()
    assert many >= few + 200
