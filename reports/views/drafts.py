"""The yearly summary's draft: Ban Tổ chức reads and edits the text the application
composed, part by part, with each part's versions, the newer composed text waiting on a
decision, and beside it what the units and the contributing bodies wrote.

The same people as the summary page: the plan's top reviewers and leaders and the
administrators read it; the reviewers who may build the summary edit it (leaders 403 on
every change); reporters 403; people with no role 404.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.db.models import Max, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organisations.http import AuthenticatedRequest
from reports.access import get_draft_part_for_user, get_summary_for_user
from reports.models import (
    AnnualReport,
    DraftPart,
    DraftPartVersion,
    ReportingCycle,
    SummaryDraft,
)
from reports.selectors import can_manage
from reports.services import ServiceError
from reports.summary.draft import LEADERSHIP, RECOMMENDATIONS
from reports.summary.services import (
    MAX_PART_LENGTH,
    DraftConflict,
    draft_open,
    draft_part_resolve,
    draft_part_restore,
    draft_part_save,
    draft_regenerate,
)
from reports.summary.sources import ContributionSource, contributions_for_summary

# Versions are PositiveIntegerField: a larger number is a form error, never a database
# overflow.
MAX_VERSION = 2_147_483_647


class BaseForm(forms.Form):
    base_version = forms.IntegerField(min_value=1, max_value=MAX_VERSION)


class PartForm(BaseForm):
    text = forms.CharField(required=False, max_length=MAX_PART_LENGTH, strip=False)


class ResolveForm(BaseForm):
    choice = forms.ChoiceField(choices=[("new", "new"), ("keep", "keep")])


def difference(mine: str, new: str) -> list[tuple[str, str]]:
    """Line by line, what taking ``new`` would change in ``mine``: ("del", line) for a
    line that would go, ("ins", line) for one that would come, ("same", line) otherwise."""
    kinds = {"- ": "del", "+ ": "ins", "  ": "same"}
    return [
        (kinds[line[:2]], line[2:])
        for line in difflib.ndiff(mine.splitlines(), new.splitlines())
        if line[:2] in kinds
    ]


@dataclass
class PartRow:
    """A part as the page shows it: with the contributions beside it, the difference a
    pending composed text would make, and the text in its editor (the person's own after
    a refused save)."""

    part: DraftPart
    contributions: list[ContributionSource] = field(default_factory=list)
    difference: list[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""
    shown: str = ""
    conflict: bool = False


def _rows(
    cycle: ReportingCycle, draft: SummaryDraft, kept: dict[int, str] | None = None
) -> list[PartRow]:
    """The parts with their versions, authors and the contributions beside them: a fixed
    number of queries whatever the number of parts, versions and organisations."""
    kept = kept or {}
    parts = (
        draft.parts.select_related("edited_by", "task")
        .prefetch_related(
            Prefetch("versions", queryset=DraftPartVersion.objects.select_related("author"))
        )
        .order_by("position")
    )
    contributions = contributions_for_summary(cycle)
    rows = []
    for part in parts:
        row = PartRow(part=part, shown=kept.get(part.pk, part.text), conflict=part.pk in kept)
        if part.task is not None:
            row.contributions = contributions.get(part.task.number, [])
        elif part.key in (LEADERSHIP, RECOMMENDATIONS):
            row.contributions = contributions.get(None, [])
        if part.pending is not None:
            row.difference = difference(part.text, part.pending)
        if part.key == RECOMMENDATIONS:
            row.placeholder = _(
                "Phần này để Ban Tổ chức tự viết kiến nghị, đề xuất của mình; để trống thì"
                " không in vào văn bản."
            )
        rows.append(row)
    return rows


def _render(
    request: AuthenticatedRequest,
    cycle: ReportingCycle,
    draft: SummaryDraft,
    *,
    kept: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    # After a refused save the person's own text is shown again (``kept``), ready to
    # save over the current version once they have compared the two.
    context = {
        "cycle": cycle,
        "draft": draft,
        "outdated": figures_changed_since(cycle, draft.composed_at),
        "rows": _rows(cycle, draft, kept),
        "can_edit": can_manage(request.user, cycle.plan_id),
    }
    return render(request, "reports/summary_draft.html", context, status=status)


def figures_changed_since(cycle: ReportingCycle, moment: dt.datetime) -> bool:
    """Whether a report of the cycle was submitted or accepted after ``moment`` (the
    draft's last composition): its figures may then be behind. One aggregate query."""
    latest = AnnualReport.objects.filter(cycle=cycle).aggregate(
        submitted=Max("last_submitted_at"), accepted=Max("accepted_at")
    )
    return any(when is not None and when > moment for when in latest.values())


@require_GET
@never_cache
def draft_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle, _summary = get_summary_for_user(request.user, pk)
    # The first reader composes the draft: the same text whoever opens it first, written
    # once (draft_open is safe against two first readers at once).
    draft = draft_open(cycle=cycle, actor=request.user)
    return _render(request, cycle, draft)


def _part_for(request: AuthenticatedRequest, pk: int, part_pk: int):
    return get_draft_part_for_user(request.user, pk, part_pk)


def _anchor(cycle: ReportingCycle, part: DraftPart) -> HttpResponse:
    response = redirect("reports:draft_detail", pk=cycle.pk)
    response["Location"] += f"#phan-{part.key}"
    return response


@require_POST
def draft_part_save_view(request: AuthenticatedRequest, pk: int, part_pk: int) -> HttpResponse:
    cycle, part = _part_for(request, pk, part_pk)
    form = PartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Không lưu được: biểu mẫu thiếu hoặc sai dữ liệu."))
        return _anchor(cycle, part)
    text = form.cleaned_data["text"]
    try:
        draft_part_save(
            part=part, text=text, base_version=form.cleaned_data["base_version"], actor=request.user
        )
    except DraftConflict as conflict:
        messages.error(request, str(conflict))
        return _render(request, cycle, part.draft, kept={part.pk: text}, status=409)
    except ServiceError as error:
        messages.error(request, str(error))
        return _render(request, cycle, part.draft, kept={part.pk: text}, status=400)
    messages.success(request, _("Đã lưu phần “%(part)s”.") % {"part": part})
    return _anchor(cycle, part)


@require_POST
def draft_part_resolve_view(request: AuthenticatedRequest, pk: int, part_pk: int) -> HttpResponse:
    cycle, part = _part_for(request, pk, part_pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn dùng bản mới hoặc giữ bản đã sửa."))
        return _anchor(cycle, part)
    take_new = form.cleaned_data["choice"] == "new"
    try:
        draft_part_resolve(
            part=part,
            take_new=take_new,
            base_version=form.cleaned_data["base_version"],
            actor=request.user,
        )
    except ServiceError as error:
        messages.error(request, str(error))
        return _anchor(cycle, part)
    messages.success(
        request,
        _("Đã dùng bản tổng hợp mới.") if take_new else _("Đã giữ bản đã sửa."),
    )
    return _anchor(cycle, part)


@require_POST
def draft_part_restore_view(
    request: AuthenticatedRequest, pk: int, part_pk: int, number: int
) -> HttpResponse:
    cycle, part = _part_for(request, pk, part_pk)
    form = BaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Không khôi phục được: biểu mẫu thiếu dữ liệu."))
        return _anchor(cycle, part)
    try:
        draft_part_restore(
            part=part,
            number=number,
            base_version=form.cleaned_data["base_version"],
            actor=request.user,
        )
    except ServiceError as error:
        messages.error(request, str(error))
        return _anchor(cycle, part)
    messages.success(request, _("Đã khôi phục phiên bản %(number)s.") % {"number": number})
    return _anchor(cycle, part)


@require_POST
def draft_regenerate_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle, _summary = get_summary_for_user(request.user, pk, build=True)
    draft = SummaryDraft.objects.filter(cycle=cycle).first()
    if draft is None:
        draft_open(cycle=cycle, actor=request.user)
    else:
        draft_regenerate(draft=draft, actor=request.user)
    messages.success(
        request,
        _(
            "Đã cập nhật số liệu. Những phần chưa ai sửa đã lấy nội dung mới; phần đã sửa"
            " giữ nguyên và có bản mới để đồng chí xem, quyết định."
        ),
    )
    return redirect("reports:draft_detail", pk=cycle.pk)
