"""Opening, changing and closing reporting cycles."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import User
from reports.figures import closed
from reports.models import (
    DEFAULT_REMINDER_OFFSETS,
    CycleStatus,
    ReportingCycle,
)
from reports.services import ServiceError
from tasks.models import Plan

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
    closed.forget(cycle.pk)  # counted afresh, closed, on the next read
    cycle.refresh_from_db()
    return cycle
