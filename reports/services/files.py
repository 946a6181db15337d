"""Attachments of a report."""

from __future__ import annotations

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import User
from reports.models import (
    EDITABLE_STATUSES,
    AnnualReport,
    Attachment,
    EventKind,
)
from reports.services import ServiceError
from reports.services.reports import _event
from reports.services.uploads import CheckedFile

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
