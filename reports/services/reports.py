"""A report's life: start, save, submit, return, accept, reopen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation, User
from reports.figures import closed, tallies
from reports.figures.content import ReportContent, merge, rule_breaches, submission_errors
from reports.models import (
    EDITABLE_STATUSES,
    SECTION_PARTS,
    AnnualReport,
    EventKind,
    IndicatorValue,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    TaskSection,
)
from reports.notifications.outbox import report_event_notify
from reports.services import ConcurrentEdit, ServiceError, SubmissionInvalid
from reports.services.cascade import apply_derived, children_of, children_refusal, derived_figures
from tasks.lines import plan_lines, target_of
from tasks.models import ChildrenRule, Plan
from tasks.selectors import tasks_reported_by

# Reports --------------------------------------------------------------------------------


def _event(report: AnnualReport, kind: str, actor: User | None, **fields: Any) -> ReportEvent:
    closed.report_changed(report)  # every change of state records an event
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
    report, created = AnnualReport.objects.get_or_create(
        cycle=cycle,
        organisation=organisation,
        defaults={"reports_to_id": target_of(organisation, plan_lines(cycle.plan))},
    )
    if not created:  # somebody else started it a moment ago
        return report
    TaskSection.objects.bulk_create(TaskSection(report=report, task=task) for task in tasks)
    prefetch_related_objects(tasks, "indicators")  # one query, not one a task
    IndicatorValue.objects.bulk_create(
        IndicatorValue(report=report, indicator=indicator)
        for task in tasks
        for indicator in task.indicators.all()
    )
    # A committee starts from what the reports addressed to it add up to.
    derived = derived_figures(report)
    if derived is not None:
        apply_derived(report, derived)
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
        leadership=content.leadership,
        overall_assessment=content.overall_assessment,
        proposals=content.proposals,
        number=content.number,
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
        new, reason = value.value, value.reason
        if code in content.figures:
            new = content.figures[code]
        if code in content.reasons:
            reason = content.reasons[code].strip()
        if value.derived_of and new == value.derived:
            reason = ""  # back to the derived figure: nothing left to explain
        if (new, reason) != (value.value, value.reason):
            value.value, value.reason = new, reason
            changed_values.append(value)
    IndicatorValue.objects.bulk_update(changed_values, ["value", "reason"])


@transaction.atomic
def report_save(
    *,
    report: AnnualReport,
    content: ReportContent,
    version: int,
    actor: User,
    base: dict[str, str] | None = None,
) -> AnnualReport:
    """Save a draft, half-filled or not. Refused if the report is no longer editable
    (ServiceError). If someone saved since `version` was read, the two are merged field by
    field, `base` being the fingerprint of what this user's form was opened with: a field
    only one of them changed keeps that person's value, so nobody's saved work is undone.
    A field both changed, each differently, is for the user to decide: nothing is saved
    and ConcurrentEdit lists those fields with the merged content to show."""
    now = timezone.now()
    try:
        new_version = _claim(report, version=version, actor=actor, now=now)
    except ConcurrentEdit:
        # Locked so the version merged into is the one claimed: a third save waits.
        current = (
            AnnualReport.objects.select_for_update(of=("self",))
            .select_related("last_saved_by")
            .get(pk=report.pk)
        )
        if current.status not in EDITABLE_STATUSES:  # submitted a moment ago
            raise ServiceError(
                _("Báo cáo đang ở trạng thái “%(status)s”, không thể sửa.")
                % {"status": current.get_status_display()}
            ) from None
        merged = merge(content, ReportContent.of(report_for_snapshot(current)), base)
        if merged.conflicts:
            raise ConcurrentEdit(
                current, conflicts=merged.conflicts, merged=merged.content
            ) from None
        content = merged.content
        new_version = _claim(report, version=current.version, actor=actor, now=now)
    _write_content(report, content)
    report.refresh_from_db()
    assert report.version == new_version
    _event(report, EventKind.SAVED, actor)
    return report


def report_submit(
    *,
    report: AnnualReport,
    content: ReportContent,
    version: int,
    actor: User,
    base: dict[str, str] | None = None,
) -> AnnualReport:
    """Save (merging as report_save does), then submit. The save is committed first, so
    nothing typed is lost when the submission is refused; SubmissionInvalid then lists
    what is missing, by field."""
    if not report.cycle.is_open:
        raise ServiceError(_("Kỳ báo cáo đã đóng, không thể gửi báo cáo."))
    saved = report_save(report=report, content=content, version=version, actor=actor, base=base)
    return _submit_saved(report=saved, actor=actor)


def report_submission_errors(*, report: AnnualReport) -> dict[str, list[str]]:
    """What keeps the saved report from being submitted, by form field (empty: nothing).
    Read as the submission reads it, so the form can show it beside its own errors."""
    return _submission_errors(report_for_snapshot(report), report.cycle.plan)


def _submission_errors(full: AnnualReport, plan: Plan) -> dict[str, list[str]]:
    sections = list(full.sections.all())
    indicators = [i for s in sections for i in s.task.indicators.all()]
    derived = {v.indicator.code: v.derived for v in full.values.all() if v.derived_of}
    errors = submission_errors(
        ReportContent.of(full),
        sections,
        indicators,
        list(plan.rules.all()),
        derived=derived,
        leadership=full.asks_leadership,
    )
    if plan.children_rule == ChildrenRule.REQUIRE:
        refusal = children_refusal(children_of(full))
        if refusal:
            errors["children"] = [refusal]
    return errors


def report_rule_breaches(*, report: AnnualReport) -> dict[str, list[str]]:
    """The plan's rules the saved figures break (a part larger than its whole), by field.
    A draft may be saved so, with a warning; it cannot be submitted so. Reads the
    report's prefetched sections and figures (report_with_content) and the plan's rules."""
    indicators = [v.indicator for v in report.values.all()]
    return rule_breaches(ReportContent.of(report), indicators, list(report.cycle.plan.rules.all()))


@transaction.atomic
def _submit_saved(*, report: AnnualReport, actor: User) -> AnnualReport:
    full = report_for_snapshot(report)
    errors = _submission_errors(full, report.cycle.plan)
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
        # The content is saved already (report_save committed), so ConcurrentEdit's "not
        # saved" would be untrue. Mostly this is the same form posted twice, and the
        # other post has just submitted it.
        current = AnnualReport.objects.select_related("last_saved_by").get(pk=report.pk)
        if current.status == ReportStatus.SUBMITTED:
            raise ServiceError(_("Báo cáo đã được gửi; không cần gửi lại."))
        if current.status not in EDITABLE_STATUSES:
            raise ServiceError(
                _("Báo cáo đang ở trạng thái “%(status)s”, không thể gửi.")
                % {"status": current.get_status_display()}
            )
        raise ServiceError(
            _(
                "Đã lưu nháp nhưng chưa gửi: %(who)s vừa lưu báo cáo cùng lúc."
                " Hãy xem lại bản mới nhất rồi gửi."
            )
            % {"who": current.last_saved_by or _("một người khác")}
        )
    source = report.status
    report.refresh_from_db()
    _event(report, EventKind.SUBMITTED, actor, snapshot=ReportContent.of(full).to_snapshot())
    report_event_notify(report=report, kind=EventKind.SUBMITTED, actor=actor)
    # Last, so the cycle's running totals stay locked only until the commit: on deadline
    # day many organisations submit to the same cycle at once.
    tallies.move(report, source, ReportStatus.SUBMITTED)
    return report


@transaction.atomic
def report_derive(
    *,
    report: AnnualReport,
    content: ReportContent,
    version: int,
    actor: User,
    base: dict[str, str] | None = None,
) -> AnnualReport:
    """Save the form as ``report_save`` does (merging with a save made meanwhile), then
    refill the figures from the accepted reports of the level below. The save's version
    claim locks the report until the commit, so a concurrent save waits and then merges,
    and the same form posted twice refills twice to the same result."""
    derived = derived_figures(report)
    if derived is None:
        raise ServiceError(
            _("Không có tổ chức nào báo cáo lên %(org)s trong kỳ này.")
            % {"org": report.organisation.name}
        )
    saved = report_save(report=report, content=content, version=version, actor=actor, base=base)
    apply_derived(saved, derived)
    return saved


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
    report_event_notify(
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
    report_event_notify(
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
    report_event_notify(report=report, kind=EventKind.REOPENED, actor=actor, comment=reason.strip())
    return report
