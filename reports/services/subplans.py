"""Organisations' own implementation plans (sub-plans)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation, User
from reports.models import (
    SubPlan,
)
from reports.services import ServiceError
from reports.services.uploads import CheckedFile
from tasks.models import Plan


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
    existing = SubPlan.objects.select_for_update().filter(plan=plan, organisation=organisation)
    subplan = existing.first() or SubPlan(plan=plan, organisation=organisation)
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
