"""Writing a dashboard's or a rollup's file in a job, for one person.

``export_request`` queues one job per person and identical request (a double click
starts one); the job ``reports.build_export`` runs ``export_build``, which claims the
job, checks that the person may still read what it covers, rebuilds the dashboard or
rollup from the stored query with the functions the pages use, and streams the file
through the writers of ``reports.documents.exports`` into a temporary file, writing its
progress as it goes, in short UPDATEs that commit at once, so the page can show it.
``exports_remove_old`` (beat, daily) removes the jobs and files older than
EXPORT_KEEP_HOURS."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organisations.models import User
from plan112.celery import job_queue
from reports.access import export_scope_for_user_id
from reports.documents.exports import (
    dashboard_row_count,
    rollup_row_count,
    write_dashboard_file,
    write_rollup_file,
)
from reports.documents.rollup_files import rollup_filenames
from reports.documents.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    dashboard_filenames,
)
from reports.export_jobs.scope import dashboard_for, rollup_for
from reports.models import ExportJob, ExportKind, ExportStatus, ReportingCycle
from reports.summary.build import broker_down_message

logger = logging.getLogger(__name__)

ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)

# A running job writes its heartbeat with its progress (every PROGRESS_EVERY_ROWS rows, at
# most once every PROGRESS_EVERY_SECONDS) and, from a thread, every HEARTBEAT_EVERY
# seconds; one silent for HEARTBEAT_LOST_AFTER died with its worker. A job nobody took for
# QUEUED_LOST_AFTER has no worker to take it (a yearly summary can hold a worker for its
# 15 minutes).
HEARTBEAT_EVERY = 20.0
HEARTBEAT_LOST_AFTER = dt.timedelta(minutes=2)
QUEUED_LOST_AFTER = dt.timedelta(minutes=30)
PROGRESS_EVERY_ROWS = 1_000
PROGRESS_EVERY_SECONDS = 1.0

CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "csv": CSV_CONTENT_TYPE, "excel.csv": CSV_CONTENT_TYPE}

# What the progress throttle reads; tests replace it.
clock: Callable[[], float] = time.monotonic


def lost_message() -> str:
    return _(
        "Việc lập tệp đã dừng giữa chừng (máy xử lý ngừng hoạt động khi đang ghi tệp). "
        "Có thể thử lại ngay."
    )


def unclaimed_message() -> str:
    return _(
        "Sau %(minutes)s phút vẫn chưa có máy xử lý nào nhận việc lập tệp (máy xử lý ngừng "
        "hoạt động hoặc đang quá bận). Có thể thử lại; nếu vẫn vậy, vui lòng báo quản trị "
        "hệ thống."
    ) % {"minutes": int(QUEUED_LOST_AFTER.total_seconds() // 60)}


def no_access_message() -> str:
    return _("Tệp không được lập: tài khoản của đồng chí không còn quyền xem bảng số liệu này.")


# Requesting ------------------------------------------------------------------------------


@transaction.atomic
def export_request(
    *, user: User, kind: str, fmt: str, cycle: ReportingCycle, query: str
) -> tuple[ExportJob, bool]:
    """Queue the file of a dashboard (``cycle``) or a rollup (the cycle of its year) with
    the filters ``query`` for ``user``, and return the job and whether it is new.

    The same person's identical job that is still queued or running is returned instead
    (a double click, a second tab), unless it was lost (``export_fail_if_lost``); the
    database holds that rule. The job is sent once the transaction commits; if the broker
    cannot take it, the job is marked failed with a message the page shows."""
    same = {"requested_by": user, "kind": kind, "fmt": fmt, "cycle": cycle, "query": query}
    existing = ExportJob.objects.filter(status__in=ACTIVE, **same).first()
    if existing is not None and not export_fail_if_lost(job=existing):
        return existing, False
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(**same)
    except IntegrityError:
        # Created by a request a moment ago: that one's job is the job.
        return ExportJob.objects.get(status__in=ACTIVE, **same), False
    job_queue("reports.build_export", export_id=job.pk, refused=partial(_refused, job.pk))
    return job, True


def _refused(export_id: int) -> None:
    """No worker will write it: the page says so, and nothing is left waiting."""
    ExportJob.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.FAILED, error=broker_down_message(), finished_at=timezone.now()
    )


def export_fail_if_lost(*, job: ExportJob) -> bool:
    """Mark failed a running job whose heartbeat stopped (its worker was killed) or a job
    no worker took, so that its page says so instead of waiting for ever. Updates ``job``
    in place; returns whether it was lost."""
    now = timezone.now()
    if job.status == ExportStatus.RUNNING:
        silent = {"status": ExportStatus.RUNNING, "heartbeat_at__lt": now - HEARTBEAT_LOST_AFTER}
        error = lost_message()
    elif job.status == ExportStatus.QUEUED:
        silent = {"status": ExportStatus.QUEUED, "requested_at__lt": now - QUEUED_LOST_AFTER}
        error = unclaimed_message()
    else:
        return False
    fields = {"status": ExportStatus.FAILED, "error": error, "finished_at": now}
    if not ExportJob.objects.filter(pk=job.pk, **silent).update(**fields):
        return False
    logger.warning("Export %s went silent; marked failed", job.pk)
    for name, value in fields.items():
        setattr(job, name, value)
    return True


# Building --------------------------------------------------------------------------------


class ExportBuildError(Exception):
    pass


@dataclass
class Progress:
    """The writer's progress callback: writes rows done, the percentage and the heartbeat
    once at least PROGRESS_EVERY_ROWS rows and PROGRESS_EVERY_SECONDS have passed since
    the last write, and at the last row. Each write is one short UPDATE."""

    export_id: int
    last_rows: int = 0
    last_at: float = field(default_factory=lambda: clock())

    def __call__(self, done: int, total: int) -> None:
        now = clock()
        finished = done >= total
        due = done - self.last_rows >= PROGRESS_EVERY_ROWS and now - self.last_at >= (
            PROGRESS_EVERY_SECONDS
        )
        if not (finished or due):
            return
        self.last_rows, self.last_at = done, now
        total = max(total, done)
        # 99 at most: the file still has to be stored.
        percent = min(99, done * 100 // total) if total else 99
        ExportJob.objects.filter(pk=self.export_id, status=ExportStatus.RUNNING).update(
            rows_done=done, rows_total=total, progress=percent, heartbeat_at=timezone.now()
        )


@contextmanager
def beating(export_id: int) -> Iterator[None]:
    """Write the job's heartbeat every HEARTBEAT_EVERY seconds while the body runs, from a
    thread of the worker's own process: a step that reports no progress for a while (the
    rows read, a large workbook zipped) still shows the job alive, and a killed worker
    falls silent with it. A stuck body is ended by the job's soft time limit."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_EVERY):
                ExportJob.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # a missed beat must not end the job; the page may call it lost
            logger.exception("Export %s: the heartbeat stopped", export_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"export-{export_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@dataclass
class Prepared:
    """What the writer needs: the object the page shows and how to write it."""

    data: object
    rows: int
    write: Callable[..., None]
    names: tuple[str, str]  # the file's name in ASCII, and in full


def prepare(job: ExportJob, cycle: ReportingCycle, node) -> Prepared:
    """The dashboard or rollup the job covers, rebuilt from its stored query."""
    query = QueryDict(job.query)
    if job.kind == ExportKind.DASHBOARD:
        board = dashboard_for(cycle, node, query)
        names = dashboard_filenames(board, job.fmt)
        return Prepared(board, dashboard_row_count(board), write_dashboard_file, names)
    rollup = rollup_for(cycle.plan, node, query)
    if rollup is None:  # the plan lost its cycles: nothing the page could show either
        raise ExportBuildError(_("Kế hoạch không còn kỳ báo cáo nào để tổng hợp."))
    names = rollup_filenames(rollup, job.fmt)
    return Prepared(rollup, rollup_row_count(rollup), write_rollup_file, names)


def _store(job: ExportJob, out: BinaryIO, ascii_name: str) -> str:
    stored_file = ExportJob._meta.get_field("file")
    name = stored_file.generate_filename(job, ascii_name)
    return stored_file.storage.save(name, File(out, name=ascii_name))


def _discard(name: str) -> None:
    try:
        ExportJob._meta.get_field("file").storage.delete(name)
    except OSError:
        logger.exception("Could not delete the export file %s", name)


def _build(job: ExportJob) -> None:
    try:
        cycle, node = export_scope_for_user_id(job.requested_by_id, job)
    except Http404 as exc:
        raise ExportBuildError(no_access_message()) from exc
    prepared = prepare(job, cycle, node)
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        rows_total=prepared.rows, heartbeat_at=timezone.now()
    )
    ascii_name, full_name = prepared.names
    # An anonymous temporary file: the disk holds no half-written copy, even when the
    # worker is killed.
    with tempfile.TemporaryFile() as out:
        prepared.write(prepared.data, job.fmt, out, Progress(job.pk))
        out.seek(0)
        stored = _store(job, out, ascii_name)
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE,
        progress=100,
        rows_done=prepared.rows,
        rows_total=prepared.rows,
        file=stored,
        file_name=full_name,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if finished != 1:  # marked lost meanwhile: its page already says so
        _discard(stored)
        raise ExportBuildError(lost_message())


def export_build(*, export_id: int) -> bool:
    """Write a queued export (the job's body). Returns whether this call wrote it.

    Claimed with a conditional UPDATE (queued → running) that must change exactly one row;
    otherwise another worker has it, or it failed meanwhile, and this call does nothing.
    Any error marks the job failed with a Vietnamese reason; no file is left behind."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0, error=""
    )
    if claimed != 1:
        logger.info("Export %s is not queued; another worker has it", export_id)
        return False
    job = ExportJob.objects.select_related("cycle__plan").get(pk=export_id)
    try:
        with translation.override(settings.LANGUAGE_CODE), beating(job.pk):
            _build(job)
    except Exception as exc:
        logger.exception("Export %s failed", export_id)
        with translation.override(settings.LANGUAGE_CODE):
            reason = _failure_reason(exc)
        ExportJob.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=reason
        )
        return False
    return True


def _failure_reason(exc: Exception) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, ExportBuildError):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        return _(
            "Lập tệp quá thời gian cho phép. Vui lòng thử lại, chọn phạm vi nhỏ hơn (một cấp, "
            "một loại đơn vị) hoặc báo quản trị hệ thống."
        )
    detail = str(exc) or exc.__class__.__name__
    return _("Không lập được tệp. Chi tiết lỗi: %(detail)s") % {"detail": detail[:1000]}


# Removing old files ---------------------------------------------------------------------


def exports_remove_old(*, now: dt.datetime | None = None) -> int:
    """Remove the jobs asked for more than EXPORT_KEEP_HOURS before ``now``, with their
    files, and any file of that age no job points at (a worker killed between storing the
    file and recording it). Returns how many jobs were removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    storage = ExportJob._meta.get_field("file").storage
    old = ExportJob.objects.filter(requested_at__lt=cutoff)
    for name in old.exclude(file="").values_list("file", flat=True):
        _discard(name)
    removed, _by_model = old.delete()
    kept = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
    try:
        _folders, files = storage.listdir("exports")
    except FileNotFoundError:
        files = []
    for file_name in files:
        name = f"exports/{file_name}"
        if name not in kept and storage.get_modified_time(name) < cutoff:
            _discard(name)
    return removed
