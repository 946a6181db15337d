"""Every change of a cycle or a report. Views call these and nothing else writes.

Each service checks that the step is allowed from the current state, changes the row
with a conditional UPDATE (so two people acting at once cannot both win), and records
a ReportEvent.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from organisations.models import Organisation, User
from tasks.models import Plan
from tasks.selectors import tasks_reported_by

from . import notify, tallies
from .content import ReportContent, submission_errors
from .models import (
    DEFAULT_REMINDER_OFFSETS,
    EDITABLE_STATUSES,
    SECTION_PARTS,
    AnnualReport,
    Attachment,
    CycleStatus,
    EventKind,
    IndicatorValue,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    SubPlan,
    TaskSection,
)
from .uploads import CheckedFile


class ServiceError(Exception):
    """A step that is not allowed now; the message tells the user why, in Vietnamese."""


class ConcurrentEdit(ServiceError):
    """Somebody saved the report after this user opened it."""

    def __init__(self, report: AnnualReport):
        self.report = report
        who = report.last_saved_by or _("một người khác")
        when = (
            date_format(timezone.localtime(report.last_saved_at), "SHORT_DATETIME_FORMAT")
            if report.last_saved_at
            else ""
        )
        super().__init__(
            _(
                "Báo cáo vừa được %(who)s lưu lúc %(when)s, sau khi đồng chí mở trang này."
                " Nội dung của đồng chí CHƯA được lưu và vẫn còn nguyên trong biểu mẫu bên"
                " dưới; hãy đối chiếu với bản đã lưu rồi lưu lại."
            )
            % {"who": who, "when": when}
        )


class SubmissionInvalid(ServiceError):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(
            _("Báo cáo chưa thể gửi: còn %(n)s mục cần bổ sung hoặc sửa.") % {"n": len(errors)}
        )


# Cycles ---------------------------------------------------------------------------------


def _check_cycle_dates(
    period_start: dt.date, period_end: dt.date, opens_on: dt.date, due_on: dt.date,
    closes_on: dt.date,
) -> None:  # fmt: skip
    if period_end < period_start:
        raise ServiceError(_("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu."))
    if not opens_on <= due_on <= closes_on:
        raise ServiceError(_("Các ngày phải theo thứ tự: mở nhận báo cáo ≤ hạn nộp ≤ đóng kỳ."))


@transaction.atomic
def cycle_open(
    *,
    plan: Plan,
    year: int,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    due_on: dt.date,
    closes_on: dt.date,
    reminder_offsets: list[int] | None = None,
    title: str = "",
    actor: User,
) -> ReportingCycle:
    """Open a reporting cycle for a plan and a year (one per plan and year)."""
    _check_cycle_dates(period_start, period_end, opens_on, due_on, closes_on)
    if ReportingCycle.objects.filter(plan=plan, year=year).exists():
        raise ServiceError(
            _("Kế hoạch %(plan)s đã có kỳ báo cáo năm %(year)s.")
            % {"plan": plan.number, "year": year}
        )
    return ReportingCycle.objects.create(
        plan=plan,
        year=year,
        title=title,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        due_on=due_on,
        closes_on=closes_on,
        reminder_offsets=sorted(
            DEFAULT_REMINDER_OFFSETS if reminder_offsets is None else reminder_offsets
        ),
        created_by=actor,
    )


@transaction.atomic
def cycle_update(
    *,
    cycle: ReportingCycle,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    due_on: dt.date,
    closes_on: dt.date,
    reminder_offsets: list[int],
    title: str = "",
    actor: User,
) -> ReportingCycle:
    """Change an open cycle's dates."""
    _check_cycle_dates(period_start, period_end, opens_on, due_on, closes_on)
    changed = ReportingCycle.objects.filter(pk=cycle.pk, status=CycleStatus.OPEN).update(
        title=title,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        due_on=due_on,
        closes_on=closes_on,
        reminder_offsets=sorted(reminder_offsets),
    )
    if changed != 1:
        raise ServiceError(_("Kỳ báo cáo đã đóng, không thể sửa."))
    cycle.refresh_from_db()
    return cycle


@transaction.atomic
def cycle_close(*, cycle: ReportingCycle, actor: User) -> ReportingCycle:
    changed = ReportingCycle.objects.filter(pk=cycle.pk, status=CycleStatus.OPEN).update(
        status=CycleStatus.CLOSED, closed_at=timezone.now()
    )
    if changed != 1:
        raise ServiceError(_("Kỳ báo cáo đã được đóng trước đó."))
    cycle.refresh_from_db()
    return cycle


# Reports --------------------------------------------------------------------------------


def _event(report: AnnualReport, kind: str, actor: User | None, **fields) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, kind=kind, actor=actor, at=timezone.now(), version=report.version,
        **fields,
    )  # fmt: skip


@transaction.atomic
def report_start(*, cycle: ReportingCycle, organisation: Organisation, actor: User) -> AnnualReport:
    """The organisation's report for the cycle, created with one section per task it
    reports on and an empty figure for each of those tasks' indicators."""
    existing = AnnualReport.objects.filter(cycle=cycle, organisation=organisation).first()
    if existing is not None:
        return existing
    tasks = tasks_reported_by(cycle.plan, organisation)
    if not tasks:
        raise ServiceError(
            _("%(org)s không thuộc phạm vi báo cáo của kế hoạch này.") % {"org": organisation.name}
        )
    if not cycle.is_open:
        raise ServiceError(_("Kỳ báo cáo đã đóng."))
    active = (organisation.valid_from is None or organisation.valid_from <= cycle.period_end) and (
        organisation.valid_to is None or organisation.valid_to >= cycle.period_start
    )
    if not active:
        raise ServiceError(
            _("%(org)s không hoạt động trong kỳ báo cáo này nên không phải báo cáo.")
            % {"org": organisation.name}
        )
    report, created = AnnualReport.objects.get_or_create(cycle=cycle, organisation=organisation)
    if not created:  # somebody else started it a moment ago
        return report
    TaskSection.objects.bulk_create(TaskSection(report=report, task=task) for task in tasks)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=report, indicator=indicator)
        for task in tasks
        for indicator in task.indicators.all()
    )
    _event(report, EventKind.CREATED, actor)
    return report


def _claim(report: AnnualReport, *, version: int, actor: User, now: dt.datetime) -> int:
    """Take the next version of an editable report, or explain why not."""
    changed = AnnualReport.objects.filter(
        pk=report.pk, version=version, status__in=EDITABLE_STATUSES
    ).update(version=F("version") + 1, last_saved_at=now, last_saved_by=actor)
    if changed == 1:
        return version + 1
    current = AnnualReport.objects.select_related("last_saved_by").get(pk=report.pk)
    if current.status not in EDITABLE_STATUSES:
        raise ServiceError(
            _("Báo cáo đang ở trạng thái “%(status)s”, không thể sửa.")
            % {"status": current.get_status_display()}
        )
    raise ConcurrentEdit(current)


def _write_content(report: AnnualReport, content: ReportContent) -> None:
    AnnualReport.objects.filter(pk=report.pk).update(
        overall_assessment=content.overall_assessment,
        proposals=content.proposals,
        signer_name=content.signer_name,
        signer_position=content.signer_position,
    )
    # Only the rows that changed are written: a save usually touches a few of the 7
    # sections and 40 figures, and one UPDATE … CASE over every row cost most of a save.
    changed_sections = []
    for section in report.sections.select_related("task"):
        text = content.sections.get(section.task.number)
        if text is None:
            continue
        fields = {part: getattr(text, part) for part in SECTION_PARTS} | {"level": text.level}
        if any(getattr(section, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(section, name, value)
            changed_sections.append(section)
    TaskSection.objects.bulk_update(changed_sections, [*SECTION_PARTS, "level"])
    changed_values = []
    for value in report.values.select_related("indicator"):
        code = value.indicator.code
        if code in content.figures and value.value != content.figures[code]:
            value.value = content.figures[code]
            changed_values.append(value)
    IndicatorValue.objects.bulk_update(changed_values, ["value"])


@transaction.atomic
def report_save(
    *, report: AnnualReport, content: ReportContent, version: int, actor: User
) -> AnnualReport:
    """Save a draft, half-filled or not. Refused if someone saved since `version` was read
    (ConcurrentEdit) or the report is no longer editable (ServiceError)."""
    now = timezone.now()
    new_version = _claim(report, version=version, actor=actor, now=now)
    _write_content(report, content)
    report.refresh_from_db()
    assert report.version == new_version
    _event(report, EventKind.SAVED, actor)
    return report


def report_submit(
    *, report: AnnualReport, content: ReportContent, version: int, actor: User
) -> AnnualReport:
    """Save, then submit. The save is committed first, so nothing typed is lost when the
    submission is refused; SubmissionInvalid then lists what is missing, by field."""
    if not report.cycle.is_open:
        raise ServiceError(_("Kỳ báo cáo đã đóng, không thể gửi báo cáo."))
    saved = report_save(report=report, content=content, version=version, actor=actor)
    return _submit_saved(report=saved, actor=actor)


@transaction.atomic
def _submit_saved(*, report: AnnualReport, actor: User) -> AnnualReport:
    full = report_for_snapshot(report)
    sections = list(full.sections.all())
    indicators = [i for s in sections for i in s.task.indicators.all()]
    errors = submission_errors(
        ReportContent.of(full), sections, indicators, list(report.cycle.plan.rules.all())
    )
    if errors:
        raise SubmissionInvalid(errors)
    now = timezone.now()
    changed = AnnualReport.objects.filter(
        pk=report.pk, version=report.version, status__in=EDITABLE_STATUSES
    ).update(
        status=ReportStatus.SUBMITTED,
        first_submitted_at=report.first_submitted_at or now,
        last_submitted_at=now,
        submission_count=F("submission_count") + 1,
        version=F("version") + 1,
    )
    if changed != 1:
        raise ConcurrentEdit(AnnualReport.objects.select_related("last_saved_by").get(pk=report.pk))
    source = report.status
    report.refresh_from_db()
    _event(report, EventKind.SUBMITTED, actor, snapshot=ReportContent.of(full).to_snapshot())
    notify.report_event_notify(report=report, kind=EventKind.SUBMITTED, actor=actor)
    # Last, so the cycle's running totals stay locked only until the commit: on deadline
    # day many organisations submit to the same cycle at once.
    tallies.move(report, source, ReportStatus.SUBMITTED)
    return report


def report_for_snapshot(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.prefetch_related(
        "sections__task__indicators", "values__indicator__task"
    ).get(pk=report.pk)


def _transition(report: AnnualReport, *, source: str, target: str, actor: User) -> AnnualReport:
    now = timezone.now()
    updates = {"status": target, "version": F("version") + 1}
    if target == ReportStatus.ACCEPTED:
        updates["accepted_at"] = now
    changed = AnnualReport.objects.filter(pk=report.pk, status=source).update(**updates)
    if changed != 1:
        current = AnnualReport.objects.get(pk=report.pk)
        raise ServiceError(
            _("Báo cáo đang ở trạng thái “%(status)s”, không thể thực hiện thao tác này.")
            % {"status": current.get_status_display()}
        )
    tallies.move(report, source, target)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_return(
    *,
    report: AnnualReport,
    comment: str,
    section_comments: dict[int, str] | None = None,
    actor: User,
) -> AnnualReport:
    """Send a submitted report back to its organisation with the reviewer's comments."""
    if not comment.strip():
        raise ServiceError(_("Vui lòng ghi ý kiến khi trả lại báo cáo."))
    report = _transition(
        report, source=ReportStatus.SUBMITTED, target=ReportStatus.RETURNED, actor=actor
    )
    cleaned = {str(k): v.strip() for k, v in (section_comments or {}).items() if v.strip()}
    _event(report, EventKind.RETURNED, actor, comment=comment.strip(), section_comments=cleaned)
    notify.report_event_notify(
        report=report, kind=EventKind.RETURNED, actor=actor, comment=comment.strip()
    )
    return report


@transaction.atomic
def report_accept(*, report: AnnualReport, actor: User, comment: str = "") -> AnnualReport:
    """Accept a submitted report; it is then locked."""
    report = _transition(
        report, source=ReportStatus.SUBMITTED, target=ReportStatus.ACCEPTED, actor=actor
    )
    _event(report, EventKind.ACCEPTED, actor, comment=comment.strip())
    notify.report_event_notify(
        report=report, kind=EventKind.ACCEPTED, actor=actor, comment=comment.strip()
    )
    return report


@transaction.atomic
def report_reopen(*, report: AnnualReport, reason: str, actor: User) -> AnnualReport:
    """Unlock an accepted report so its organisation can correct it."""
    if not reason.strip():
        raise ServiceError(_("Vui lòng ghi lý do mở lại báo cáo."))
    report = _transition(
        report, source=ReportStatus.ACCEPTED, target=ReportStatus.RETURNED, actor=actor
    )
    AnnualReport.objects.filter(pk=report.pk).update(accepted_at=None)
    report.refresh_from_db()
    _event(report, EventKind.REOPENED, actor, comment=reason.strip())
    notify.report_event_notify(
        report=report, kind=EventKind.REOPENED, actor=actor, comment=reason.strip()
    )
    return report


# Files ------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, report: AnnualReport, checked: CheckedFile, kind: str, actor: User
) -> Attachment:
    """Store a checked file under a name of our own; only while the report is editable."""
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise ServiceError(_("Báo cáo đã gửi hoặc đã khóa, không thể thêm tệp."))
    attachment = Attachment(
        report=locked,
        kind=kind,
        original_name=checked.original_name,
        extension=checked.type.extension,
        content_type=checked.type.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save("upload", File(checked.upload), save=False)
    attachment.save()
    _event(locked, EventKind.ATTACHED, actor, comment=checked.original_name)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    """Hide a file from the report. The file itself is kept: a snapshot may name it."""
    locked = AnnualReport.objects.select_for_update().get(pk=attachment.report_id)
    if locked.status not in EDITABLE_STATUSES:
        raise ServiceError(_("Báo cáo đã gửi hoặc đã khóa, không thể gỡ tệp."))
    changed = Attachment.objects.filter(pk=attachment.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    if changed:
        _event(locked, EventKind.DETACHED, actor, comment=attachment.original_name)


@transaction.atomic
def subplan_register(
    *,
    plan: Plan,
    organisation: Organisation,
    number: str,
    issued_on: dt.date,
    checked: CheckedFile,
    actor: User,
) -> SubPlan:
    """Register (or replace) an organisation's own implementation plan."""
    if not number.strip():
        raise ServiceError(_("Vui lòng nhập số hiệu kế hoạch."))
    if issued_on > timezone.localdate():
        raise ServiceError(_("Ngày ban hành không được ở tương lai."))
    subplan = SubPlan.objects.select_for_update().filter(plan=plan, organisation=organisation)
    subplan = subplan.first() or SubPlan(plan=plan, organisation=organisation)
    subplan.number = number.strip()
    subplan.issued_on = issued_on
    subplan.original_name = checked.original_name
    subplan.extension = checked.type.extension
    subplan.content_type = checked.type.content_type
    subplan.size = checked.size
    subplan.sha256 = checked.sha256
    subplan.registered_by = actor
    if subplan.pk is None:
        subplan.registered_at = timezone.now()
    subplan.file.save("upload", File(checked.upload), save=False)
    subplan.save()
    return subplan
