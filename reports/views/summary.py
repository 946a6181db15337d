"""The yearly summary of a cycle: its page, its progress, its files, and the button that
builds it.

Reviewers and leaders of the plan (and administrators) read it; only reviewers start a
build. Reporters, who can see the cycle, get 403; people with no role 404.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organisations.http import AuthenticatedRequest
from reports.access import found, get_summary_for_user
from reports.documents.party import Issuer, clean_number
from reports.downloads import file_download
from reports.models import ReportingCycle, SignerAuthority, SummaryStatus, YearlySummary
from reports.selectors import can_manage
from reports.summary.build import (
    ACTIVE,
    CONTENT_TYPES,
    STALE_AFTER,
    file_name,
    pdf_renderer,
    summary_fail_if_lost,
    summary_issuer,
    summary_request,
)


class SummaryForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Số văn bản"),
        max_length=50,
        required=False,
    )
    signer_authority = forms.ChoiceField(
        label=gettext_lazy("Thẩm quyền ký"), choices=SignerAuthority.choices, required=False
    )
    signer_title = forms.CharField(
        label=gettext_lazy("Chức vụ người ký"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Để trống: theo dữ liệu của cơ quan ban hành."),
    )
    signer_name = forms.CharField(
        label=gettext_lazy("Họ tên người ký"), max_length=150, required=False
    )
    include_submitted = forms.BooleanField(
        label=gettext_lazy("Tính cả báo cáo đã gửi nhưng chưa tiếp nhận"), required=False
    )

    def __init__(self, *args, issuer: Issuer, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuer = issuer
        example = issuer.number_line("125")
        self.fields["number"].help_text = _(
            "Chỉ nhập số, ví dụ 125; văn bản sẽ ghi “%(example)s”."
        ) % {"example": example}

    def clean_number(self) -> str:
        return clean_number(self.cleaned_data["number"], suffix=self.issuer.suffix)


def _figures(summary: YearlySummary | None) -> dict[str, object] | None:
    """The figures stored with the last build, as numbers the template localises."""
    stored = (summary.figures or {}).get("cycle") if summary else None
    if not stored:
        return None
    try:
        return {
            key: Decimal(value) if isinstance(value, str) else value
            for key, value in stored.items()
        }
    except (InvalidOperation, TypeError):
        return None


def _context(
    request: AuthenticatedRequest, cycle: ReportingCycle, summary: YearlySummary | None
) -> dict[str, object]:
    if summary is not None:
        summary_fail_if_lost(summary=summary)  # a killed worker's build shows failed at once
    active = summary is not None and summary.status in ACTIVE
    since = summary and (summary.started_at or summary.requested_at)
    stale = active and since is not None and timezone.now() - since > STALE_AFTER
    can_start = can_manage(request.user, cycle.plan_id)
    form = None
    if can_start and (not active or stale):
        form = SummaryForm(
            issuer=summary_issuer(cycle),
            initial={
                "number": summary.number if summary else "",
                "include_submitted": summary.include_submitted if summary else False,
                "signer_authority": summary.signer_authority if summary else "",
                "signer_title": summary.signer_title if summary else "",
                "signer_name": summary.signer_name if summary else "",
            },
        )
    files = []
    if summary is not None:
        for kind, label in (
            ("docx", _("Tệp Word")),
            ("xlsx", _("Tệp Excel")),
            ("pdf", _("Tệp PDF")),
        ):
            stored = getattr(summary, kind)
            if stored:
                files.append(
                    {"kind": kind, "label": label, "built_at": getattr(summary, f"{kind}_built_at")}
                )
    return {
        "cycle": cycle,
        "summary": summary,
        "active": active and not stale,
        "stale": stale,
        "can_start": can_start,
        # Built by itself on the due date: past it and still missing, the page says so
        # instead of promising a build that will not come by itself.
        "overdue": summary is None and timezone.now() > cycle.deadline,
        "form": form,
        "files": files,
        "figures": _figures(summary),
        "pdf_available": pdf_renderer() is not None,
    }


@require_GET
@never_cache
def summary_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle, summary = get_summary_for_user(request.user, pk)
    return render(request, "reports/summary_detail.html", _context(request, cycle, summary))


@require_GET
@never_cache
def summary_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The status block alone: the page polls it while a build is queued or running."""
    cycle, summary = get_summary_for_user(request.user, pk)
    return render(request, "reports/_summary_status.html", _context(request, cycle, summary))


@require_POST
def summary_start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cycle, _summary = get_summary_for_user(request.user, pk, build=True)
    form = SummaryForm(request.POST, issuer=summary_issuer(cycle))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reports:summary_detail", pk=cycle.pk)
    before = YearlySummary.objects.filter(cycle=cycle).values_list("requested_at", flat=True)
    requested_before = before.first()
    summary = summary_request(
        cycle=cycle,
        actor=request.user,
        include_submitted=form.cleaned_data["include_submitted"],
        number=form.cleaned_data["number"],
        signer_name=form.cleaned_data["signer_name"],
        signer_title=form.cleaned_data["signer_title"],
        signer_authority=form.cleaned_data["signer_authority"],
    )
    summary.refresh_from_db()  # the job was sent on commit; the broker may have refused it
    if summary.status == SummaryStatus.FAILED:
        messages.error(request, summary.error)
    elif summary.requested_at == requested_before:
        messages.info(request, _("Báo cáo tổng hợp đang được lập; vui lòng chờ."))
    else:
        messages.success(
            request,
            _("Đã gửi yêu cầu lập báo cáo tổng hợp năm %(year)s; trang sẽ tự cập nhật tiến độ.")
            % {"year": cycle.year},
        )
    return redirect("reports:summary_detail", pk=cycle.pk)


@require_GET
def summary_download(request: AuthenticatedRequest, pk: int, kind: str) -> FileResponse:
    content_type = found(CONTENT_TYPES.get(kind))
    cycle, summary = get_summary_for_user(request.user, pk)
    return file_download(
        getattr(summary, kind) if summary is not None else None,
        filename=file_name(cycle.year, kind),
        content_type=content_type,
    )
