"""The files of the dashboard and the rollup: answered at once when small, otherwise
written by a job whose page shows its progress and then the download.

The export addresses take GET (links, small files) and POST (the pages' buttons). A
file of at most EXPORT_IMMEDIATE_ROWS organisations is answered at once either way. A
larger one is started only by a POST, which queues the job (or finds the same person's
identical one) and redirects to its page; a GET answers a page with the button that
starts it. A job's page and file are for the person who asked (and administrators), as
long as they may still read what it covers; everyone else gets 404."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import BinaryIO

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisations.http import AuthenticatedRequest
from reports.access import get_export_job_for_user
from reports.documents.report import content_disposition
from reports.downloads import file_download
from reports.export_jobs.build import (
    ACTIVE,
    CONTENT_TYPES,
    export_fail_if_lost,
    export_request,
)
from reports.export_jobs.scope import export_url, page_url
from reports.models import ExportJob, ExportStatus, ReportingCycle
from tasks.lines import ReportingNode


def export_answer(
    request: AuthenticatedRequest,
    *,
    kind: str,
    fmt: str,
    cycle: ReportingCycle,
    query: str,
    rows: int,
    write: Callable[[BinaryIO], None],
    names: tuple[str, str],
    title: str,
) -> HttpResponse:
    """The file at once when it lists at most EXPORT_IMMEDIATE_ROWS organisations (``write``
    writes it); otherwise the job that writes it (POST) or the page that starts it (GET)."""
    if rows <= settings.EXPORT_IMMEDIATE_ROWS:
        buffer = io.BytesIO()
        write(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition(*names)
        return response
    if request.method != "POST":
        return render(
            request,
            "reports/export_start.html",
            {"title": title, "rows": rows, "limit": settings.EXPORT_IMMEDIATE_ROWS},
        )
    job, created = export_request(user=request.user, kind=kind, fmt=fmt, cycle=cycle, query=query)
    job.refresh_from_db()  # the job was sent on commit; the broker may have refused it
    if job.status == ExportStatus.FAILED:
        messages.error(request, job.error)
    elif not created:
        messages.info(request, _("Tệp này đang được lập theo yêu cầu trước của đồng chí."))
    response = redirect(job)
    response.status_code = 303  # see the job's page, with GET
    return response


def _context(job: ExportJob, node: ReportingNode) -> dict[str, object]:
    export_fail_if_lost(job=job)  # a killed worker's job shows failed at once
    return {
        "job": job,
        "node": node,
        "active": job.status in ACTIVE,
        "retry_url": export_url(job),
        "page_url": page_url(job),
        "kept_until": job.requested_at + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS),
    }


@require_GET
@never_cache
def export_job_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job, node = get_export_job_for_user(request.user, pk)
    return render(request, "reports/export_job_detail.html", _context(job, node))


@require_GET
@never_cache
def export_job_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The status block alone: the page polls it while the job is queued or running."""
    job, node = get_export_job_for_user(request.user, pk)
    return render(request, "reports/_export_job_status.html", _context(job, node))


@require_GET
def export_job_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    job, _node = get_export_job_for_user(request.user, pk)
    done = job.file if job.status == ExportStatus.DONE else None  # 404 until it is
    return file_download(done, filename=job.file_name, content_type=CONTENT_TYPES[job.fmt])
