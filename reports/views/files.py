"""Attachments: uploaded by the organisation's reporters, served only through here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organisations.http import AuthenticatedRequest
from reports.access import get_attachment_for_user, get_report_for_user
from reports.downloads import file_download
from reports.forms import AttachmentForm
from reports.models import AttachmentKind
from reports.services import ServiceError
from reports.services.files import attachment_add, attachment_remove
from reports.services.uploads import DOCUMENT_TYPES, SCAN_TYPES, check_upload


@require_POST
def attachment_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(report)
    kind = form.cleaned_data["kind"]
    allowed = SCAN_TYPES if kind == AttachmentKind.SIGNED_SCAN else DOCUMENT_TYPES
    try:
        checked = check_upload(form.cleaned_data["file"], allowed)
        attachment = attachment_add(report=report, checked=checked, kind=kind, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Đã đính kèm tệp “%(name)s”.") % {"name": attachment.original_name}
        )
    return redirect(report)


@require_GET
def attachment_download(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> FileResponse:
    _report, attachment = get_attachment_for_user(request.user, pk, attachment_pk)
    return file_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@require_POST
def attachment_remove_view(
    request: AuthenticatedRequest, pk: int, attachment_pk: int
) -> HttpResponse:
    report, attachment = get_attachment_for_user(request.user, pk, attachment_pk, write=True)
    try:
        attachment_remove(attachment=attachment, actor=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã gỡ tệp “%(name)s”.") % {"name": attachment.original_name})
    return redirect(report)
