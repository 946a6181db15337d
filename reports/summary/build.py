"""The yearly summary Ban Tổ chức sends to Ban Thường vụ Tỉnh ủy (plan section III.3).

``summary_request`` queues one build per cycle; the job ``reports.build_yearly_summary``
runs ``summary_build``, which claims the build, gathers the cycle's figures (from
``reports.figures``, the same functions the dashboard uses) and the text of the cycle's
draft as Ban Tổ chức edited it (``reports.summary.services``; composed on the spot when
nobody opened it), writes the Word and Excel files — and a PDF when LibreOffice is installed — and
tells the plan's leaders. Progress is written as it goes, in short UPDATEs that commit
at once, so the page can show it while the job runs.

The counted reports are read in a fixed number of queries, as streams
(``.iterator(chunk_size=...)``), so the build's queries and memory do not follow the
number of organisations beyond the documents themselves."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import shutil
import subprocess
import time
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organisations.models import Role
from organisations.tree import province_members, top_of
from plan112.celery import job_queue
from reports.documents.party import Issuer, clean_number, issuer_on, summary_issuer_of
from reports.models import (
    DraftPart,
    Notification,
    ReportingCycle,
    SummaryStatus,
    YearlySummary,
)
from reports.summary.data import steps, summary_data
from reports.summary.excel import write_summary_xlsx
from reports.summary.services import draft_open, draft_regenerate
from reports.summary.word import write_summary_docx

logger = logging.getLogger(__name__)


ACTIVE = (SummaryStatus.QUEUED, SummaryStatus.RUNNING)

# Longer than the job's hard time limit: a build still "running" after this died with
# its worker, and a new request may take over.
STALE_AFTER = dt.timedelta(minutes=30)

# A running build writes its heartbeat at least this often (each step, and while
# LibreOffice converts); one silent for HEARTBEAT_LOST_AFTER died with its worker.
HEARTBEAT_EVERY = 20  # seconds
HEARTBEAT_LOST_AFTER = dt.timedelta(minutes=2)

PDF_TIMEOUT = 120  # seconds LibreOffice gets to convert the Word file

KINDS = ("docx", "xlsx", "pdf")

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def broker_down_message() -> str:
    return _("Không gửi được yêu cầu tới hàng đợi công việc; vui lòng thử lại sau.")


def lost_message() -> str:
    return _(
        "Việc tổng hợp đã dừng giữa chừng (máy xử lý ngừng hoạt động khi đang lập báo cáo). "
        "Có thể lập lại ngay."
    )


def file_name(year: int, kind: str) -> str:
    return f"bao-cao-tong-hop-{year}.{kind}"


def pdf_renderer() -> str | None:
    """The LibreOffice program, when the machine has one."""
    return shutil.which("soffice") or shutil.which("libreoffice")


# Requesting a build ---------------------------------------------------------------------


def summary_issuer(cycle: ReportingCycle, day: dt.date | None = None) -> Issuer:
    """Who issues the cycle's summary if it is dated ``day`` (today by default)."""
    day = day or timezone.localdate()
    top = top_of(cycle.plan.issuer_id)
    return issuer_on(summary_issuer_of(top, day) or top, day)


@transaction.atomic
def summary_request(
    *,
    cycle: ReportingCycle,
    actor,
    include_submitted: bool = False,
    number: str = "",
    signer_name: str = "",
    signer_title: str = "",
    signer_authority: str = "",
) -> YearlySummary:
    """Queue a build of the cycle's yearly summary and return it.

    One build at a time per cycle: a summary already queued or running is returned
    unchanged (a double click starts one build), unless it has been stuck longer than
    any build may take. Otherwise the summary is created or reset to queued, and the job
    is sent once the transaction commits; if the broker cannot take it, the summary is
    marked failed with a message the page shows. ``actor`` is None for the beat job.
    ``number`` is digits, or the full "12-BC/BTCTU" with the issuing body's ký hiệu;
    anything else raises ValidationError."""
    now = timezone.now()
    number = clean_number(number, suffix=summary_issuer(cycle).suffix)
    fields = {
        "status": SummaryStatus.QUEUED,
        "progress": 0,
        "step": "",
        "error": "",
        "include_submitted": include_submitted,
        "number": number,
        "signer_name": " ".join(signer_name.split()),
        "signer_title": " ".join(signer_title.split()),
        "signer_authority": signer_authority,
        "requested_by": actor,
        "requested_at": now,
        "started_at": None,
        "finished_at": None,
        "heartbeat_at": None,
    }
    summary = YearlySummary.objects.filter(cycle=cycle).first()
    if summary is None:
        try:
            with transaction.atomic():
                summary = YearlySummary.objects.create(cycle=cycle, **fields)
        except IntegrityError:
            # Created by a request a moment ago: that one's build is the build.
            return YearlySummary.objects.get(cycle=cycle)
    else:
        idle = (
            Q(status__in=[SummaryStatus.DONE, SummaryStatus.FAILED])
            | Q(status=SummaryStatus.QUEUED, requested_at__lt=now - STALE_AFTER)
            | Q(status=SummaryStatus.RUNNING, started_at__lt=now - STALE_AFTER)
            | Q(status=SummaryStatus.RUNNING, heartbeat_at__lt=now - HEARTBEAT_LOST_AFTER)
        )
        # Conditional: of two requests at once, only one resets the row and queues a job.
        if YearlySummary.objects.filter(idle, pk=summary.pk).update(**fields) != 1:
            summary.refresh_from_db()
            return summary
        summary.refresh_from_db()
    job_queue(
        "reports.build_yearly_summary",
        summary_id=summary.pk,
        refused=partial(_refused, summary.pk),
    )
    return summary


def _refused(summary_id: int) -> None:
    """No worker will build it: the page says so, and a reviewer may ask again."""
    YearlySummary.objects.filter(pk=summary_id, status=SummaryStatus.QUEUED).update(
        status=SummaryStatus.FAILED, error=broker_down_message(), finished_at=timezone.now()
    )


def summary_fail_if_lost(*, summary: YearlySummary) -> bool:
    """Mark failed a running build whose heartbeat stopped (its worker was killed), so the
    page says so and a reviewer may start again; remove what its LibreOffice left.
    Updates ``summary`` in place; returns whether it was lost."""
    cutoff = timezone.now() - HEARTBEAT_LOST_AFTER
    fields = {
        "status": SummaryStatus.FAILED,
        "error": lost_message(),
        "finished_at": timezone.now(),
    }
    lost = YearlySummary.objects.filter(
        pk=summary.pk, status=SummaryStatus.RUNNING, heartbeat_at__lt=cutoff
    ).update(**fields)
    if lost:
        logger.warning("Yearly summary %s stopped beating; marked failed", summary.pk)
        shutil.rmtree(scratch_folder(summary.pk), ignore_errors=True)
        for name, value in fields.items():
            setattr(summary, name, value)
    return bool(lost)


def summaries_start_due(*, today: dt.date) -> list[YearlySummary]:
    """Queue the summary of every cycle due SUMMARY_AFTER_DUE_DAYS before ``today`` that
    has none yet (the beat job, daily)."""
    due_on = today - dt.timedelta(days=settings.SUMMARY_AFTER_DUE_DAYS)
    started = []
    for cycle in ReportingCycle.objects.filter(due_on=due_on, summary__isnull=True).order_by("pk"):
        try:
            started.append(summary_request(cycle=cycle, actor=None))
        except Exception:  # one broken cycle must not keep the others from their summary
            logger.exception("Could not start the yearly summary of cycle %s", cycle.pk)
    return started


# Building -------------------------------------------------------------------------------


class SummaryBuildError(Exception):
    pass


def _progress(summary_id: int, progress: int, step: str | None = None) -> None:
    # Outside a transaction each UPDATE commits at once, so the page sees it.
    fields: dict = {"progress": max(0, min(100, progress)), "heartbeat_at": timezone.now()}
    if step is not None:
        fields["step"] = step
    YearlySummary.objects.filter(pk=summary_id, status=SummaryStatus.RUNNING).update(**fields)


def _beat(summary_id: int) -> None:
    YearlySummary.objects.filter(pk=summary_id, status=SummaryStatus.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def scratch_folder(summary_id: int) -> Path:
    """The build's working folder for one summary: its files while they are written,
    the workbook's rows waiting to be put together, LibreOffice's profile and output.
    Named after it, under the var folder, so what a killed build left is found and
    removed by the next one."""
    return Path(settings.VAR_DIR) / "summary-work" / f"summary-{summary_id}"


# LibreOffice runs its graphics tests (drawings of 4096 × 4096 pixels: 70 MB more memory
# and a second more) at each start with a profile that has not yet seen its version, as
# a profile made for one conversion never has; this one says it has seen them all.
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product">\
<prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>99.9</value></prop></item>
</oor:items>
"""


def office_profile(folder: Path) -> Path:
    """A LibreOffice profile of the build's own, in its scratch folder: LibreOffice will
    not start while another instance (say, a second worker) holds the default profile."""
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, "utf-8")
    return profile


def office_command(office: str, source: Path) -> list[str]:
    """LibreOffice converting ``source`` to a PDF beside it, with a profile of its own
    (``office_profile``) and nothing it does not need: no document to restore, no lock
    file to check, no start centre."""
    profile = office_profile(source.parent).as_uri()
    return [
        office,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        "--convert-to",
        "pdf",
        "--outdir",
        str(source.parent),
        str(source),
    ]


def docx_to_pdf(source: Path, office: str, *, beat=None) -> Path:
    """The Word file ``source`` converted by LibreOffice, headless, into a PDF beside it
    (its folder is the build's scratch folder, removed by the build); ``beat`` is called
    every HEARTBEAT_EVERY seconds while it runs."""
    command = office_command(office, source)
    # A fixed program and arguments, no user input.
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:  # noqa: S603
        deadline = time.monotonic() + PDF_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            try:
                out, err = process.communicate(timeout=max(0, min(HEARTBEAT_EVERY, left)))
                break
            except subprocess.TimeoutExpired:
                if left <= HEARTBEAT_EVERY:
                    process.kill()
                    process.communicate()
                    raise
                if beat is not None:
                    beat()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, out, err)
    result = source.with_suffix(".pdf")
    if not result.exists():
        raise SummaryBuildError(_("LibreOffice không tạo ra tệp PDF."))
    return result


def _store(summary: YearlySummary, kind: str, path: Path, saved: list[str]) -> str:
    field = YearlySummary._meta.get_field(kind)
    name = field.generate_filename(summary, file_name(summary.cycle.year, kind))
    with path.open("rb") as content:
        stored = field.storage.save(name, File(content))
    saved.append(stored)
    return stored


def _discard(names: list[str]) -> None:
    storage = YearlySummary._meta.get_field("docx").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the summary file %s", name)


def draft_parts_for_build(summary: YearlySummary) -> list[DraftPart]:
    """The parts of the cycle's draft, in order: composed first when nobody has opened
    the draft (the beat job builds summaries without a person), and recomposed when the
    summary counts other reports than the draft did, so that the text and the tables
    count the same reports (a person's edits are kept, as always)."""
    draft = draft_open(cycle=summary.cycle, actor=None, include_submitted=summary.include_submitted)
    if draft.include_submitted != summary.include_submitted:
        draft_regenerate(draft=draft, actor=None, include_submitted=summary.include_submitted)
    return list(draft.parts.order_by("position"))


def _build(summary: YearlySummary, saved: list[str], current: list[str]) -> None:
    """Write the files in the scratch folder, then store them. Nothing big is held in
    memory at once: the workbook streams its rows to disk, and the figures are let go
    before LibreOffice starts, which runs beside this process."""
    labels = steps()

    def progress(value: int, step: str | None = None) -> None:
        if step is not None:
            current[0] = step
        _progress(summary.pk, value, step)

    folder = scratch_folder(summary.pk)
    folder.mkdir(parents=True, exist_ok=True)
    files = {"docx": folder / "bao-cao.docx", "xlsx": folder / "bao-cao.xlsx"}
    data = summary_data(summary)
    data.parts = draft_parts_for_build(summary)
    progress(15)
    with files["docx"].open("wb") as out:
        write_summary_docx(data, out, progress=progress)
    progress(65, labels["xlsx"])
    with files["xlsx"].open("wb") as out:
        write_summary_xlsx(data, out, tmpdir=str(folder))
    figures = data.as_json()
    del data
    gc.collect()  # the organisations' rows, before LibreOffice needs memory of its own
    warning = ""
    office = pdf_renderer()
    if office:
        progress(80, labels["pdf"])
        try:
            files["pdf"] = docx_to_pdf(files["docx"], office, beat=partial(_beat, summary.pk))
        except (subprocess.SubprocessError, OSError, SummaryBuildError) as exc:
            # The Word and Excel files are what the Standing Office needs; a PDF that
            # failed is noted on the page, not a reason to lose the rest.
            logger.exception("LibreOffice could not convert yearly summary %s", summary.pk)
            warning = _("Không tạo được bản PDF (%(reason)s); tệp Word và Excel vẫn dùng được.") % {
                "reason": str(exc)[:300]
            }
    progress(95)

    names = {"docx": "", "xlsx": "", "pdf": ""}
    for kind, path in files.items():
        names[kind] = _store(summary, kind, path, saved)
    now = timezone.now()
    finished = YearlySummary.objects.filter(pk=summary.pk, status=SummaryStatus.RUNNING).update(
        status=SummaryStatus.DONE,
        progress=100,
        step="",
        error=warning,
        finished_at=now,
        docx=names["docx"],
        docx_built_at=now,
        xlsx=names["xlsx"],
        xlsx_built_at=now,
        pdf=names["pdf"],
        pdf_built_at=now if names["pdf"] else None,
        figures=figures,
    )
    if finished != 1:
        raise SummaryBuildError(_("Báo cáo tổng hợp đã bị thay đổi trong khi đang lập."))
    saved.clear()  # referenced now: no longer ours to clean up
    # The new files are in place; the previous build's go.
    _discard([old for old in (summary.docx.name, summary.xlsx.name, summary.pdf.name) if old])


def summary_build(*, summary_id: int) -> bool:
    """Build a queued summary (the job's body). Returns whether this call built it.

    The build is claimed with a conditional UPDATE (queued → running) that must change
    exactly one row; otherwise another worker has it and this call does nothing. Any
    error marks the summary failed with a Vietnamese reason and the error's text; the
    files written so far are deleted and the previous build's stay as they were."""
    labels = steps()
    claimed = YearlySummary.objects.filter(pk=summary_id, status=SummaryStatus.QUEUED).update(
        status=SummaryStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        progress=0,
        step=labels["figures"],
        error="",
        heartbeat_at=timezone.now(),
    )
    if claimed != 1:
        logger.info("Yearly summary %s is not queued; another worker has it", summary_id)
        return False
    summary = YearlySummary.objects.select_related("cycle__plan__issuer", "requested_by").get(
        pk=summary_id
    )
    # What a killed build of this summary left behind.
    shutil.rmtree(scratch_folder(summary_id), ignore_errors=True)
    saved: list[str] = []
    current = [labels["figures"]]
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _build(summary, saved, current)
    except Exception as exc:
        logger.exception("Yearly summary %s failed", summary_id)
        _discard(saved)
        with translation.override(settings.LANGUAGE_CODE):
            reason = _failure_reason(exc, current[0])
        YearlySummary.objects.filter(pk=summary_id).update(
            status=SummaryStatus.FAILED, finished_at=timezone.now(), step="", error=reason
        )
        return False
    finally:
        shutil.rmtree(scratch_folder(summary_id), ignore_errors=True)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            summary_notify(summary=summary)
    except Exception:  # the files are built; a notification lost is not a failed build
        logger.exception("Could not notify about yearly summary %s", summary_id)
    return True


def _failure_reason(exc: Exception, step: str) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return _(
            "Lập báo cáo tổng hợp quá thời gian cho phép (ở bước “%(step)s”). Vui lòng thử "
            "lại hoặc báo quản trị hệ thống."
        ) % {"step": step.rstrip("…")}
    detail = str(exc) or exc.__class__.__name__
    return _("Không lập được báo cáo tổng hợp (ở bước “%(step)s”). Chi tiết lỗi: %(detail)s") % {
        "step": step.rstrip("…"),
        "detail": detail[:1000],
    }


# Telling the leaders --------------------------------------------------------------------


def summary_recipients(summary: YearlySummary) -> set[int]:
    """Ids of the plan's leaders (a leader role in the province the plan's issuer
    belongs to) and of the person who asked for the summary."""
    leading = province_members(summary.cycle.plan.issuer_id, role=Role.LEADER)
    users = set(leading.filter(user__is_active=True).values_list("user_id", flat=True))
    if summary.requested_by_id is not None:
        users.add(summary.requested_by_id)
    return users


def summary_notify(*, summary: YearlySummary) -> list[Notification]:
    """An in-app notification to each leader of the plan and to the requester."""
    cycle = summary.cycle
    title = _("Báo cáo tổng hợp năm %(year)s đã sẵn sàng") % {"year": cycle.year}
    body = _(
        "Báo cáo tổng hợp kết quả thực hiện Kế hoạch số %(plan)s năm %(year)s đã được lập; "
        "tệp Word và Excel có tại trang báo cáo tổng hợp."
    ) % {"plan": cycle.plan.number, "year": cycle.year}
    url = reverse("reports:summary_detail", args=[cycle.pk])
    return Notification.objects.bulk_create(
        [
            Notification(user_id=user_id, title=title, body=body, url=url)
            for user_id in sorted(summary_recipients(summary))
        ]
    )
