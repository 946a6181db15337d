"""Contributions to the provincial report: the contributor's own page to write and send
its words for the open cycles, and Ban Tổ chức's list per cycle (asked, received, late),
each linked to a read-only view."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organisations.http import AuthenticatedRequest
from organisations.selectors import memberships_of
from reports.access import (
    get_contribution_for_user,
    get_contributions_cycle_for_user,
    require_role,
)
from reports.contributions import Standing, contribution_rows, contributions_for_user, standing_of
from reports.forms import ContributionForm
from reports.models import ContributionStatus, CycleStatus, ReportingCycle
from reports.services import ServiceError
from reports.services.contributions import contribution_save, contribution_send


def _url(name: str, cycle: ReportingCycle, code: str) -> str:
    return reverse(name, args=[cycle.pk, code])


@require_GET
def contribution_mine(request: AuthenticatedRequest) -> HttpResponse:
    """The bodies the user writes for, in every open cycle that asks them."""
    require_role(request.user)
    cycles = list(
        ReportingCycle.objects.filter(status=CycleStatus.OPEN)
        .select_related("plan")
        .order_by("-year")
    )
    rows = contributions_for_user(request.user, cycles)
    return render(request, "reports/contribution_mine.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def contribution_edit(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    cycle, asked, contribution = get_contribution_for_user(request.user, pk, code, write=True)
    detail = _url("reports:contribution_detail", cycle, code)
    if contribution is not None and contribution.status == ContributionStatus.SENT:
        return redirect(detail)
    if not cycle.is_open:
        messages.info(request, _("Kỳ báo cáo đã đóng, không thể sửa ý kiến đóng góp."))
        return redirect(detail)
    texts = {p.task_id: p.text for p in contribution.parts.all()} if contribution else {}
    version = contribution.version if contribution else 0
    form = ContributionForm(request.POST or None, tasks=asked.tasks, texts=texts, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            saved = contribution_save(
                cycle=cycle, organisation=asked.organisation, to=asked.to,
                tasks=list(asked.tasks), texts=form.texts(),
                version=form.cleaned_data["version"], actor=request.user,
            )  # fmt: skip
            if "send" in request.POST:
                contribution_send(
                    cycle=cycle, organisation=asked.organisation, version=saved.version,
                    actor=request.user,
                )  # fmt: skip
                messages.success(request, _("Đã gửi ý kiến đóng góp."))
                return redirect(detail)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Đã lưu nháp ý kiến đóng góp."))
            return redirect(_url("reports:contribution_edit", cycle, code))
    return render(
        request,
        "reports/contribution_edit.html",
        {"cycle": cycle, "asked": asked, "contribution": contribution, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def contribution_detail(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    cycle, asked, contribution = get_contribution_for_user(request.user, pk, code)
    parts = {p.task_id: p.text for p in contribution.parts.all()} if contribution else {}
    standing = standing_of(cycle, contribution)
    return render(
        request,
        "reports/contribution_detail.html",
        {
            "cycle": cycle,
            "asked": asked,
            "contribution": contribution,
            "parts": [(task, parts.get(task.pk, "")) for task in asked.tasks],
            "general": parts.get(None, ""),
            "standing": Standing.LABELS[standing],
            "can_edit": cycle.is_open
            and (contribution is None or contribution.status == ContributionStatus.DRAFT)
            and any(
                m.organisation_id == asked.organisation.pk for m in memberships_of(request.user)
            ),
        },
    )


@require_GET
def contribution_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle = get_contributions_cycle_for_user(request.user, pk)
    rows = contribution_rows(cycle)
    counts = {
        "asked": len(rows),
        "sent": sum(1 for r in rows if r.standing in (Standing.SENT, Standing.LATE)),
        "late": sum(1 for r in rows if r.late),
    }
    return render(
        request,
        "reports/contribution_list.html",
        {"cycle": cycle, "rows": rows, "counts": counts},
    )
