"""The yearly summary Ban Tổ chức sends to the Standing Office (Thường trực Tỉnh ủy).

``summary_request`` queues one build per cycle; the job ``reports.build_yearly_summary``
runs ``summary_build``, which claims the build, gathers the cycle's figures (from
``reports.figures``, the same functions the dashboard uses) and the counted reports'
texts, writes the Word and Excel files — and a PDF when LibreOffice is installed — and
tells the plan's leaders. Progress is written as it goes, in short UPDATEs that commit
at once, so the page can show it while the job runs.

The counted reports are read in a fixed number of queries, as streams
(``.iterator(chunk_size=...)``), so the build's queries and memory do not follow the
number of organisations beyond the documents themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from organisations.models import Membership, Organisation, Role
from tasks.models import Plan, Task

from .content import format_figure
from .exports import place_of
from .figures import (
    CycleFigures,
    Totals,
    counted_statuses,
    cycle_figures,
    expected_organisations,
    indicator_totals,
    previous_cycle,
)
from .models import (
    AnnualReport,
    IndicatorValue,
    Notification,
    ReportingCycle,
    ReportStatus,
    SummaryStatus,
    TaskSection,
    YearlySummary,
)

logger = logging.getLogger(__name__)

CHUNK = 2000
ACTIVE = (SummaryStatus.QUEUED, SummaryStatus.RUNNING)
# Longer than the job's hard time limit: a build still "running" after this died with
# its worker, and a new request may take over.
STALE_AFTER = dt.timedelta(minutes=30)
PDF_TIMEOUT = 120  # seconds LibreOffice gets to convert the Word file
KINDS = ("docx", "xlsx", "pdf")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def broker_down_message() -> str:
    return _("Không gửi được yêu cầu tới hàng đợi công việc; vui lòng thử lại sau.")


def steps() -> dict[str, str]:
    return {
        "figures": _("Đang tính số liệu tổng hợp…"),
        "tasks": _("Đang tổng hợp kết quả theo nhiệm vụ…"),
        "docx": _("Đang tạo tệp Word…"),
        "xlsx": _("Đang tạo tệp Excel…"),
        "pdf": _("Đang tạo tệp PDF…"),
    }


def file_name(year: int, kind: str) -> str:
    return f"bao-cao-tong-hop-{year}.{kind}"


def pdf_renderer() -> str | None:
    """The LibreOffice program, when the machine has one."""
    return shutil.which("soffice") or shutil.which("libreoffice")


# Requesting a build ---------------------------------------------------------------------


def _clean_number(number: str) -> str:
    """ "125" stays "125"; "125-BC/TU" typed in full loses the suffix the header adds."""
    number = " ".join((number or "").split())
    if number.upper().endswith("-BC/TU"):
        number = number[: -len("-BC/TU")].strip()
    return number


@transaction.atomic
def summary_request(
    *, cycle: ReportingCycle, actor, include_submitted: bool = False, number: str = ""
) -> YearlySummary:
    """Queue a build of the cycle's yearly summary and return it.

    One build at a time per cycle: a summary already queued or running is returned
    unchanged (a double click starts one build), unless it has been stuck longer than
    any build may take. Otherwise the summary is created or reset to queued, and the job
    is sent once the transaction commits; if the broker cannot take it, the summary is
    marked failed with a message the page shows. ``actor`` is None for the beat job."""
    now = timezone.now()
    fields = {
        "status": SummaryStatus.QUEUED,
        "progress": 0,
        "step": "",
        "error": "",
        "include_submitted": include_submitted,
        "number": _clean_number(number),
        "requested_by": actor,
        "requested_at": now,
        "started_at": None,
        "finished_at": None,
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
        )
        # Conditional: of two requests at once, only one resets the row and queues a job.
        if YearlySummary.objects.filter(idle, pk=summary.pk).update(**fields) != 1:
            summary.refresh_from_db()
            return summary
        summary.refresh_from_db()
    transaction.on_commit(partial(_enqueue, summary.pk))
    return summary


def _enqueue(summary_id: int) -> None:
    from .jobs.summaries import build_yearly_summary

    try:
        build_yearly_summary.delay(summary_id=summary_id)
    except (BrokerError, ConnectionError, OSError):
        logger.exception("Could not queue the build of yearly summary %s", summary_id)
        with transaction.atomic():
            YearlySummary.objects.filter(pk=summary_id, status=SummaryStatus.QUEUED).update(
                status=SummaryStatus.FAILED,
                error=broker_down_message(),
                finished_at=timezone.now(),
            )


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


# What the documents are made of ---------------------------------------------------------


@dataclass(frozen=True)
class ExpectedRow:
    code: str
    name: str
    short_name: str
    status: str  # a ReportStatus value, "" when the organisation has not started
    first_submitted_at: dt.datetime | None
    on_time: bool | None
    days_late: int

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def submitted(self) -> bool:
        return self.first_submitted_at is not None


@dataclass(frozen=True)
class SectionRow:
    task_number: int
    organisation: str  # the short name
    results: str
    limitations: str
    level: str


@dataclass
class SummaryData:
    """Everything the Word and Excel files show, with streams for the counted reports."""

    summary: YearlySummary
    cycle: ReportingCycle
    plan: Plan
    top: Organisation  # the province committee at the top of the issuer's tree
    built_at: dt.datetime
    figures: CycleFigures
    totals: Totals
    previous: ReportingCycle | None
    tasks: list[Task]
    expected: list[ExpectedRow]
    counted: int  # how many reports the totals and texts are taken from

    @property
    def statuses(self) -> tuple[str, ...]:
        return counted_statuses(self.summary.include_submitted)

    @property
    def number(self) -> str:
        return self.summary.number

    @property
    def place(self) -> str:
        place = place_of(self.top)
        if place:
            return place
        name = self.top.name.strip()
        for prefix in ("Tỉnh ủy ", "Tỉnh uỷ "):
            if name.startswith(prefix):
                return name[len(prefix) :]
        return name

    @property
    def late(self) -> list[ExpectedRow]:
        return [row for row in self.expected if row.submitted and not row.on_time]

    @property
    def missing(self) -> list[ExpectedRow]:
        return [row for row in self.expected if not row.submitted]

    def counted_reports(self):
        return AnnualReport.objects.filter(cycle=self.cycle, status__in=self.statuses)

    def sections(self) -> Iterator[SectionRow]:
        """The counted reports' sections, by task number then organisation code."""
        rows = (
            TaskSection.objects.filter(report__cycle=self.cycle, report__status__in=self.statuses)
            .order_by("task__number", "report__organisation__code")
            .values_list(
                "task__number",
                "report__organisation__name",
                "report__organisation__short_name",
                "results",
                "limitations",
                "level",
            )
        )
        for task_number, name, short, results, limitations, level in rows.iterator(CHUNK):
            yield SectionRow(task_number, short or name, results, limitations, level)

    def proposals(self) -> Iterator[tuple[str, str]]:
        rows = (
            self.counted_reports()
            .exclude(proposals="")
            .order_by("organisation__code")
            .values_list("organisation__name", "organisation__short_name", "proposals")
        )
        for name, short, text in rows.iterator(CHUNK):
            yield short or name, text

    def report_rows(self) -> Iterator[tuple[int, str, str, str]]:
        """(report id, organisation code, organisation name, status) by code."""
        rows = (
            self.counted_reports()
            .order_by("organisation__code")
            .values_list("pk", "organisation__code", "organisation__name", "status")
        )
        return rows.iterator(CHUNK)

    def values(self) -> Iterator[tuple[int, str, int, Decimal]]:
        """(report id, organisation code, indicator id, value) of the counted reports, in
        report_rows order."""
        rows = (
            IndicatorValue.objects.filter(
                report__cycle=self.cycle, report__status__in=self.statuses, value__isnull=False
            )
            .order_by("report__organisation__code", "indicator_id")
            .values_list("report_id", "report__organisation__code", "indicator_id", "value")
        )
        return rows.iterator(CHUNK)

    def as_json(self) -> dict:
        """The figures the files were built from, kept with the summary."""
        figures = self.figures

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "year": self.cycle.year,
            "previous_year": self.previous.year if self.previous else None,
            "include_submitted": self.summary.include_submitted,
            "counted_reports": self.counted,
            "cycle": {
                "expected": figures.expected,
                "actual": figures.actual,
                "on_time": figures.on_time,
                "late": figures.late,
                "missing": figures.missing,
                "accepted": figures.accepted,
                "completeness": str(figures.completeness),
                "timeliness": str(figures.timeliness),
                "acceptance": str(figures.acceptance),
            },
            "indicators": [
                {
                    "code": row.indicator.code,
                    "name": row.indicator.name,
                    "unit": row.indicator.unit,
                    "value": text(row.value),
                    "previous": text(row.previous),
                    "reports": row.reports,
                }
                for row in self.totals.rows
            ],
        }


def top_organisation(organisation: Organisation) -> Organisation:
    """The organisation at the top of this one's tree (the province committee)."""
    seen = {organisation.pk}
    while organisation.parent_id is not None and organisation.parent_id not in seen:
        seen.add(organisation.parent_id)
        organisation = Organisation.objects.get(pk=organisation.parent_id)
    return organisation


def _expected_rows(cycle: ReportingCycle) -> list[ExpectedRow]:
    """Every expected organisation with its report's submission, in two queries."""
    reports = {
        organisation_id: (status, first)
        for organisation_id, status, first in AnnualReport.objects.filter(cycle=cycle)
        .values_list("organisation_id", "status", "first_submitted_at")
        .iterator(CHUNK)
    }
    rows = []
    organisations = expected_organisations(cycle).values_list("pk", "code", "name", "short_name")
    for pk, code, name, short in organisations.iterator(CHUNK):
        status, first = reports.get(pk, ("", None))
        # The report model holds the definitions of on time and days late.
        probe = AnnualReport(cycle=cycle, first_submitted_at=first)
        rows.append(
            ExpectedRow(
                code=code,
                name=name,
                short_name=short,
                status=status,
                first_submitted_at=first,
                on_time=probe.on_time,
                days_late=probe.days_late if first else 0,
            )
        )
    return rows


def summary_data(summary: YearlySummary) -> SummaryData:
    cycle = summary.cycle
    previous = previous_cycle(cycle)
    return SummaryData(
        summary=summary,
        cycle=cycle,
        plan=cycle.plan,
        top=top_organisation(cycle.plan.issuer),
        built_at=timezone.now(),
        figures=cycle_figures(cycle),
        totals=indicator_totals(
            cycle, include_submitted=summary.include_submitted, previous=previous
        ),
        previous=previous,
        tasks=list(Task.objects.filter(plan_id=cycle.plan_id).order_by("number")),
        expected=_expected_rows(cycle),
        counted=AnnualReport.objects.filter(
            cycle=cycle, status__in=counted_statuses(summary.include_submitted)
        ).count(),
    )


# Formatting shared by the Word and Excel files ------------------------------------------


def number(value: int | Decimal | None) -> str:
    """1.234 or 12,5 — Vietnamese separators."""
    if value is None:
        return ""
    return format_figure(Decimal(value))


def percent(value: Decimal) -> str:
    return f"{format_figure(value)}%"


def status_label(value: str) -> str:
    if value in ReportStatus.values:
        return str(ReportStatus(value).label)
    return _("Chưa bắt đầu")


# Building -------------------------------------------------------------------------------


class SummaryBuildError(Exception):
    pass


def _progress(summary_id: int, progress: int, step: str | None = None) -> None:
    # Outside a transaction each UPDATE commits at once, so the page sees it.
    fields: dict = {"progress": max(0, min(100, progress))}
    if step is not None:
        fields["step"] = step
    YearlySummary.objects.filter(pk=summary_id, status=SummaryStatus.RUNNING).update(**fields)


def docx_to_pdf(docx: bytes, office: str) -> bytes:
    """The Word file converted by LibreOffice, headless, in a folder of its own."""
    with tempfile.TemporaryDirectory(prefix="tong-hop-") as folder:
        source = Path(folder) / "bao-cao.docx"
        source.write_bytes(docx)
        # A profile of its own: LibreOffice will not start while another instance (say,
        # a second worker) holds the default profile.
        profile = (Path(folder) / "profile").as_uri()
        subprocess.run(  # noqa: S603 - a fixed program and arguments, no user input
            [
                office,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            timeout=PDF_TIMEOUT,
            capture_output=True,
        )
        result = Path(folder) / "bao-cao.pdf"
        if not result.exists():
            raise SummaryBuildError(_("LibreOffice không tạo ra tệp PDF."))
        return result.read_bytes()


def _store(summary: YearlySummary, kind: str, content: bytes, saved: list[str]) -> str:
    field = YearlySummary._meta.get_field(kind)
    name = field.generate_filename(summary, file_name(summary.cycle.year, kind))
    stored = field.storage.save(name, ContentFile(content))
    saved.append(stored)
    return stored


def _discard(names: list[str]) -> None:
    storage = YearlySummary._meta.get_field("docx").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the summary file %s", name)


def _build(summary: YearlySummary, saved: list[str], current: list[str]) -> None:
    from .summary_docx import summary_docx_bytes
    from .summary_xlsx import summary_xlsx_bytes

    labels = steps()

    def progress(value: int, step: str | None = None) -> None:
        if step is not None:
            current[0] = step
        _progress(summary.pk, value, step)

    data = summary_data(summary)
    progress(15)
    docx = summary_docx_bytes(data, progress=progress)
    progress(65, labels["xlsx"])
    xlsx = summary_xlsx_bytes(data)
    pdf, warning = b"", ""
    office = pdf_renderer()
    if office:
        progress(80, labels["pdf"])
        try:
            pdf = docx_to_pdf(docx, office)
        except (subprocess.SubprocessError, OSError, SummaryBuildError) as exc:
            # The Word and Excel files are what the Standing Office needs; a PDF that
            # failed is noted on the page, not a reason to lose the rest.
            logger.exception("LibreOffice could not convert yearly summary %s", summary.pk)
            warning = _("Không tạo được bản PDF (%(reason)s); tệp Word và Excel vẫn dùng được.") % {
                "reason": str(exc)[:300]
            }
    progress(95)

    names = {"docx": _store(summary, "docx", docx, saved), "xlsx": "", "pdf": ""}
    names["xlsx"] = _store(summary, "xlsx", xlsx, saved)
    if pdf:
        names["pdf"] = _store(summary, "pdf", pdf, saved)
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
        pdf_built_at=now if pdf else None,
        figures=data.as_json(),
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
    )
    if claimed != 1:
        logger.info("Yearly summary %s is not queued; another worker has it", summary_id)
        return False
    summary = YearlySummary.objects.select_related("cycle__plan__issuer", "requested_by").get(
        pk=summary_id
    )
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


def _top_id(organisation_id: int, cache: dict[int, int]) -> int:
    chain = []
    current = organisation_id
    while current not in cache:
        chain.append(current)
        parent = Organisation.objects.filter(pk=current).values_list("parent_id", flat=True).get()
        if parent is None or parent in chain:
            cache[current] = current
            break
        current = parent
    top = cache[current]
    for pk in chain:
        cache[pk] = top
    return top


def summary_recipients(summary: YearlySummary) -> set[int]:
    """Ids of the plan's leaders (a leader role in the province the plan's issuer
    belongs to) and of the person who asked for the summary."""
    cache: dict[int, int] = {}
    plan_top = _top_id(summary.cycle.plan.issuer_id, cache)
    memberships = Membership.objects.filter(role=Role.LEADER, user__is_active=True).values_list(
        "user_id", "organisation_id"
    )
    users = {user for user, organisation in memberships if _top_id(organisation, cache) == plan_top}
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
