"""Who may see an export job and its file, and the daily removal of old ones."""

import datetime as dt
import os

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile

from organisations.models import Membership
from plan112.celery import app as celery_app
from reports.export_jobs.build import export_build, exports_remove_old
from reports.jobs.exports import remove_old_exports
from reports.models import ExportJob, ExportStatus
from tests.reports import test_export_jobs as jobs
from tests.reports.test_export_jobs import NOW, job_url, queued_job

# The same world as the job's own tests: Càng Long accepted, Cầu Kè submitted, at NOW.
media = jobs.media
frozen = jobs.frozen
queue = jobs.queue
cycle = jobs.cycle


# Who sees a job ------------------------------------------------------------------------------


@pytest.fixture
def done_job(reviewer, cycle, queue):
    job = queued_job(reviewer, cycle, fmt="csv")
    assert export_build(export_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    "persona", ["leader", "district_reviewer", "reporter", "outsider", "other_district_reviewer"]
)
def test_another_person_gets_404_on_the_job_its_progress_and_its_file(
    request, client_for, done_job, persona
):
    client = client_for(request.getfixturevalue(persona))
    for name in ("export_job_detail", "export_job_status", "export_job_download"):
        assert client.get(job_url(done_job, name)).status_code == 404, name


def test_administrators_see_every_job(client_for, admin_user, done_job):
    assert client_for(admin_user).get(job_url(done_job, "export_job_download")).status_code == 200


def test_a_withdrawn_role_closes_the_job_and_its_file(client_for, reviewer, done_job):
    client = client_for(reviewer)
    assert client.get(job_url(done_job, "export_job_download")).status_code == 200
    Membership.objects.filter(user=reviewer).delete()
    reviewer.refresh_from_db()
    for name in ("export_job_detail", "export_job_status", "export_job_download"):
        assert client.get(job_url(done_job, name)).status_code == 404, name


def test_a_level_out_of_reach_closes_the_job(client_for, district_reviewer, cycle, queue):
    job = queued_job(district_reviewer, cycle, query="don_vi=TV-HCL")
    client = client_for(district_reviewer)
    assert client.get(job_url(job)).status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(query="don_vi=TV-HCK")
    assert client.get(job_url(job)).status_code == 404


def test_the_worker_writes_nothing_for_a_person_who_lost_the_role(reviewer, cycle, queue, media):
    job = queued_job(reviewer, cycle)
    Membership.objects.filter(user=reviewer).delete()
    assert not export_build(export_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error.startswith("Tệp không được lập: tài khoản của đồng chí không còn quyền")
    assert not list(media.rglob("*.*"))


def test_a_download_before_the_file_is_ready_is_not_found(client_for, reviewer, cycle, queue):
    job = queued_job(reviewer, cycle)
    assert client_for(reviewer).get(job_url(job, "export_job_download")).status_code == 404


def test_the_job_pages_answer_only_get(client_for, reviewer, done_job):
    for name in ("export_job_detail", "export_job_status", "export_job_download"):
        assert client_for(reviewer).post(job_url(done_job, name)).status_code == 405


# Old files -----------------------------------------------------------------------------------


def test_the_daily_job_removes_old_jobs_their_files_and_stray_files(
    reviewer, cycle, queue, media, frozen
):
    old = queued_job(reviewer, cycle, fmt="csv")
    assert export_build(export_id=old.pk)
    old.refresh_from_db()
    stray_name = ExportJob._meta.get_field("file").storage.save(
        "exports/stray.csv", ContentFile(b"x")
    )
    two_days_ago = (NOW - dt.timedelta(hours=48)).timestamp()
    os.utime(os.path.join(media, stray_name), (two_days_ago, two_days_ago))

    frozen.move_to(NOW + dt.timedelta(hours=23))
    recent = queued_job(reviewer, cycle, fmt="excel.csv")
    assert export_build(export_id=recent.pk)
    recent.refresh_from_db()
    assert exports_remove_old() == 0  # the old job is 23 hours old: kept
    assert not (media / stray_name).exists()  # no job points at it

    frozen.move_to(NOW + dt.timedelta(hours=24, seconds=1))
    assert remove_old_exports.apply().get() == 1  # what beat runs
    assert list(ExportJob.objects.all()) == [recent]
    assert not os.path.exists(old.file.path)
    assert os.path.exists(recent.file.path)


def test_the_daily_removal_is_on_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["old-exports"]
    assert entry["task"] == "reports.remove_old_exports"
    assert "reports.remove_old_exports" in celery_app.tasks
