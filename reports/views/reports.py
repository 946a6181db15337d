"""A report: starting it, reading it, and filling it in."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organisations.http import AuthenticatedRequest
from reports.access import get_report_for_user, get_report_start_for_user, require_reporter_of
from reports.figures.content import (
    LEADERSHIP_LABEL,
    ReportContent,
    compare,
    derived_note,
    field_labels,
    field_values,
    format_figure,
)
from reports.forms import AcceptForm, AttachmentForm, ReopenForm, ReturnForm
from reports.models import AnnualReport, EventKind, ReportStatus
from reports.report_form import ReportForm
from reports.selectors import (
    can_report_for,
    can_review_report,
    latest_return,
    report_with_content,
    submissions_of,
)
from reports.services import ConcurrentEdit, ServiceError, SubmissionInvalid
from reports.services.cascade import children_of, children_refusal, children_warning
from reports.services.reports import (
    report_derive,
    report_rule_breaches,
    report_save,
    report_submission_errors,
    report_submit,
)
from reports.services.reports import report_start as start_report


@require_http_methods(["GET", "POST"])
def report_start(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    """Open the organisation's report for a cycle, creating it on POST. Those who oversee
    the plan follow the link to a report that exists; only reporters start one."""
    cycle, organisation, existing = get_report_start_for_user(request.user, pk, code)
    reporter = can_report_for(request.user, organisation.pk)
    if existing is not None and (reporter or request.method == "GET"):
        return redirect(existing)
    require_reporter_of(request.user, organisation)
    if request.method == "POST":
        try:
            report = start_report(cycle=cycle, organisation=organisation, actor=request.user)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect(cycle)
        return redirect("reports:report_edit", pk=report.pk)
    return render(
        request, "reports/report_start.html", {"cycle": cycle, "organisation": organisation}
    )


def _previous_changes(report: AnnualReport) -> dict[str, object] | None:
    """What changed between the last two submissions, for the reviewer."""
    submissions = submissions_of(report)
    if len(submissions) < 2:
        return None
    before, after = submissions[-2], submissions[-1]
    return {
        "before": before,
        "after": after,
        "changes": compare(
            ReportContent.from_snapshot(before.snapshot),
            ReportContent.from_snapshot(after.snapshot),
            report,
        ),
    }


@require_GET
def report_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = report_with_content(get_report_for_user(request.user, pk))
    reviewer = can_review_report(request.user, report)
    reporter = can_report_for(request.user, report.organisation_id)
    last_return = latest_return(report)
    comments = last_return.section_comments if last_return else {}
    values_by_task: dict[int, list] = {}
    for value in report.values.all():
        # Where a figure filled from the level below came from, and whether it was changed.
        value.note = derived_note(value)
        value.adjusted = bool(value.note) and value.value != value.derived
        value.derived_shown = format_figure(value.derived)
        values_by_task.setdefault(value.indicator.task_id, []).append(value)
    sections = [
        (section, values_by_task.get(section.task_id, []), comments.get(str(section.task.number)))
        for section in report.sections.all()
    ]
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "leadership_label": LEADERSHIP_LABEL,
            "sections": sections,
            "last_return": last_return,
            "is_reviewer": reviewer,
            "is_reporter": reporter,
            "can_edit": reporter and report.is_editable and report.cycle.is_open,
            "changes": _previous_changes(report) if reviewer else None,
            "return_form": ReturnForm(report=report)
            if reviewer and report.status == ReportStatus.SUBMITTED
            else None,
            "accept_form": AcceptForm()
            if reviewer and report.status == ReportStatus.SUBMITTED
            else None,
            "reopen_form": ReopenForm()
            if reviewer and report.status == ReportStatus.ACCEPTED
            else None,
            "attachment_form": AttachmentForm() if reporter and report.is_editable else None,
            "children": children_of(report, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def report_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk, write=True)
    if not report.is_editable or not report.cycle.is_open:
        if request.method == "POST" and report.status == ReportStatus.SUBMITTED:
            messages.info(request, _("Báo cáo đã được gửi; không cần gửi lại."))
        else:
            messages.error(
                request,
                _("Báo cáo đang ở trạng thái “%(status)s”, không thể sửa.")
                % {"status": report.get_status_display()},
            )
        return redirect(report)
    report = report_with_content(report)
    last_return = latest_return(report)
    conflict = None
    taken: list[str] = []
    if request.method == "POST":
        form = ReportForm(request.POST, report=report)
        submitting = "submit" in request.POST
        # "Cập nhật số liệu từ báo cáo cấp dưới": saves what is typed, then refills.
        deriving = "derive" in request.POST and not submitting
        valid = form.is_valid()
        # A figure typed "12a" does not throw away the rest: what passed its checks is
        # saved, the bad field keeps what was saved before and is shown as typed.
        partial = not valid and form.can_keep_valid_part()
        if not valid and not partial:
            messages.error(
                request,
                _(
                    "Chưa lưu: có ô nhập chưa hợp lệ (được đánh dấu đỏ bên dưới)."
                    " Hãy sửa rồi lưu lại."
                ),
            )
        else:
            mine = form.content() if valid else form.valid_part()
            opened = form.cleaned_data["version"]
            try:
                action = report_submit if submitting else report_save
                if deriving:
                    action = report_derive
                if partial:
                    action = report_save
                action(
                    report=report,
                    content=mine,
                    version=opened,
                    actor=request.user,
                    base=form.cleaned_data["base"],
                )
            except SubmissionInvalid as exc:
                # The content was saved; only the submission waits for the fixes. The form
                # shows what was saved, which may hold others' changes merged in.
                report = report_with_content(report)
                form = ReportForm.showing(report, ReportContent.of(report))
                form.add_submission_errors(exc.errors)
                messages.success(request, _("Đã lưu bản nháp."))
                messages.error(request, _not_sent(len(exc.errors)))
                _say_merged(request, report, mine, opened)
            except ConcurrentEdit as exc:
                # Fields only the other person changed are taken from their version; those
                # both changed are shown side by side: saving again needs a choice for each.
                conflict = report_with_content(exc.report)
                form = ReportForm.showing(
                    conflict, exc.merged or mine, conflicts=exc.conflicts, mine=mine
                )
                taken = _taken_from_others(conflict, mine, exc.merged or mine, exc.conflicts)
                messages.error(request, str(exc))
            except ServiceError as exc:
                if (
                    submitting
                    and AnnualReport.objects.filter(
                        pk=report.pk, status=ReportStatus.SUBMITTED
                    ).exists()
                ):
                    messages.info(request, _("Báo cáo đã được gửi; không cần gửi lại."))
                else:
                    messages.error(request, str(exc))
                return redirect(report)
            else:
                if partial:
                    report = report_with_content(report)
                    form = _after_partial_save(request, report, form, submitting=submitting)
                    _say_merged(request, report, mine, opened)
                elif submitting:
                    report.refresh_from_db()
                    if report.on_time:
                        messages.success(request, _("Đã gửi báo cáo đúng hạn. Xin cảm ơn!"))
                    else:
                        messages.warning(
                            request,
                            _("Đã gửi báo cáo, quá hạn %(days)s ngày.")
                            % {"days": report.days_late},
                        )
                    _say_merged(request, report, mine, opened, steps=2)
                    if warning := children_warning(children_of(report)):
                        messages.warning(request, warning)
                    return redirect(report)
                else:
                    if deriving:
                        messages.success(
                            request,
                            _("Đã lưu và cập nhật số liệu từ báo cáo cấp dưới đã tiếp nhận."),
                        )
                        _say_merged(request, report, mine, opened)
                    elif not _say_merged(request, report, mine, opened):
                        messages.success(request, _("Đã lưu nháp."))
                    _warn_rule_breaches(request, report_with_content(report))
                    return redirect("reports:report_edit", pk=report.pk)
    else:
        form = ReportForm(report=report)
    children = children_of(report, request.user)
    # The rules the saved figures break, beside them: a draft may, a submission may not.
    breaches = report_rule_breaches(report=report)
    return render(
        request,
        "reports/report_edit.html",
        {
            "report": report,
            "form": form,
            "layout": form.layout(
                last_return.section_comments if last_return else None, warnings=breaches
            ),
            "last_return": last_return,
            # A form posted back without a choice for every conflict is shown again as one.
            "conflict": conflict or (report if form.conflict_keys else None),
            "conflict_rows": form.conflict_rows(),
            "taken": taken,
            "children": children,
            # Said before the submit button, so nobody is surprised after it.
            "children_notice": children_refusal(children) or children_warning(children),
        },
    )


def _after_partial_save(
    request: AuthenticatedRequest, report: AnnualReport, typed: ReportForm, *, submitting: bool
) -> ReportForm:
    """The form after its valid part was saved: the saved report, with each field that
    failed its check shown as typed with its error, and beside them in the same attempt
    what the rules or the submission object to, so one round of fixes is enough."""
    form = ReportForm.showing(report, ReportContent.of(report), typed=typed)
    bad = set(form.errors)
    if submitting:
        others = report_submission_errors(report=report)
    else:
        others = report_rule_breaches(report=report)
    form.add_submission_errors({k: v for k, v in others.items() if k not in bad})
    messages.success(
        request,
        _("Đã lưu bản nháp, trừ %(n)s ô chưa hợp lệ (các ô đó vẫn giữ nội dung đã lưu trước).")
        % {"n": len(bad)},
    )
    if submitting:
        messages.error(request, _not_sent(len(form.errors)))
    else:
        messages.warning(request, _("Hãy sửa các ô được đánh dấu đỏ bên dưới rồi lưu lại."))
    return form


def _not_sent(count: int) -> str:
    return _("Chưa gửi được: còn %(n)s mục cần bổ sung hoặc sửa, được đánh dấu đỏ bên dưới.") % {
        "n": count
    }


def _warn_rule_breaches(request: AuthenticatedRequest, report: AnnualReport) -> None:
    """Saving a draft that breaks a rule of the plan is allowed, and said at once."""
    breaches = report_rule_breaches(report=report)
    if breaches:
        messages.warning(
            request,
            _("Lưu ý: %(rules)s Báo cáo sẽ chưa gửi được cho đến khi sửa các số liệu này.")
            % {"rules": " ".join(m for ms in breaches.values() for m in ms)},
        )


def _taken_from_others(
    report: AnnualReport, mine: ReportContent, merged: ReportContent, conflicts: list[str]
) -> list[str]:
    """The fields where the merge took another person's value over this user's."""
    labels = field_labels(report)
    mine_values = field_values(mine)
    return [
        labels.get(key, key)
        for key, value in field_values(merged).items()
        if key not in conflicts and mine_values.get(key, value) != value
    ]


def _say_merged(
    request: AuthenticatedRequest,
    report: AnnualReport,
    mine: ReportContent,
    opened: int,
    *,
    steps: int = 1,
) -> bool:
    """After a save from an older version, say whose changes were kept, and where. A save
    takes one version and a submission one more: any other was someone else's."""
    if report.version <= opened + steps:  # the services refresh `report` as they save
        return False
    saved = report_with_content(report)
    taken = _taken_from_others(saved, mine, ReportContent.of(saved), [])
    if not taken:
        return False
    names = sorted(
        {
            str(event.actor)
            for event in saved.events.filter(kind=EventKind.SAVED, version__gt=opened)
            .exclude(actor=request.user)
            .select_related("actor")
        }
    )
    messages.success(
        request,
        _("Đã lưu; đồng thời giữ các thay đổi của %(who)s ở mục: %(fields)s.")
        % {
            "who": ", ".join(names) or _("một lần lưu khác"),
            "fields": "; ".join(taken),
        },
    )
    return True
