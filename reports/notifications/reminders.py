"""Deadline reminders: claimed once per (cycle, organisation, stage), then delivered.

Each level is reminded of its own deadline: the cycle's offsets count from the due date of
the organisation's level (``ReportingCycle.due_on_for``), so under 112-KH/TU the grassroots
and the cells, due fifteen days before the districts, hear fifteen days earlier."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation, User
from plan112.celery import job_queue
from reports.models import (
    AnnualReport,
    CycleStatus,
    Reminder,
    ReminderStatus,
    ReportingCycle,
)
from reports.notifications.awaiting import awaiting_submission, is_awaited
from reports.notifications.claims import claim_all
from reports.notifications.digest import digests_send
from reports.notifications.email import (
    TEMPORARY_ERRORS,
    EmailContent,
    absolute_url,
    addresses,
    describe_error,
    render_email,
    send_email,
)
from reports.notifications.inapp import notifications_create
from reports.notifications.recipients import organisation_reporters
from tasks.lines import plan_lines

logger = logging.getLogger(__name__)


# A reminder may be (re)sent only from these states; "sent" and "skipped" are final.
UNSENT = (ReminderStatus.CLAIMED, ReminderStatus.FAILED)


class ReminderRefused(Exception):
    """A manual reminder that is not sent; the message tells the reviewer why."""


# Deadline reminders ---------------------------------------------------------------------


def reminder_stage(
    cycle: ReportingCycle, today: dt.date, due_on: dt.date | None = None
) -> tuple[str, int] | None:
    """The scheduled reminder due today, as (stage, days from the due date), or None.

    Each offset of the cycle (negative = before the due date) is a stage; after the last
    positive offset the reminder repeats weekly while the report is still missing. A cycle
    whose offsets were cleared has no scheduled reminders. ``due_on`` is the level's own
    due date (the cycle's when omitted)."""
    days = (today - (due_on or cycle.due_on)).days
    offsets = sorted(set(cycle.reminder_offsets or []))
    if days in offsets:
        return f"due{days:+d}", days
    after = [offset for offset in offsets if offset > 0]
    if after and days > after[-1] and (days - after[-1]) % 7 == 0:
        return f"due{days:+d}", days
    return None


def unsubmitted_organisations(
    cycle: ReportingCycle, *, today: dt.date | None = None
) -> QuerySet[Organisation]:
    """Expected organisations, at every level, whose report is awaited (none, a draft,
    or returned and not sent back) and that still exist today (``awaiting_submission``)."""
    return awaiting_submission(cycle, today=today)


def reminder_claim(
    *,
    cycle: ReportingCycle,
    organisation: Organisation,
    stage: str,
    days_to_due: int,
    requested_by: User | None = None,
) -> Reminder | None:
    """Insert the reminder's row, or None if somebody claimed this stage already."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                cycle=cycle,
                organisation=organisation,
                stage=stage,
                days_to_due=days_to_due,
                requested_by=requested_by,
                status=ReminderStatus.CLAIMED,
            )
    except IntegrityError:
        return None


def deadline_reminders_run(*, today: dt.date) -> dict[str, int]:
    """The daily run: in every open cycle accepting reports today, claim today's stage for
    each organisation whose report is awaited, counted from its own level's due date, and
    queue its sending; then claim and send each committee's digest of the organisations
    past their due date that report to it. Safe to run any number of times, concurrently.
    A fixed number of queries per cycle however many organisations: the claims go in as
    one INSERT, the sending happens in the queued jobs."""
    counts = {"reminders": 0, "digests": 0}
    cycles = ReportingCycle.objects.filter(
        status=CycleStatus.OPEN, opens_on__lte=today, closes_on__gte=today
    ).select_related("plan__issuer")
    for cycle in cycles:
        lines = plan_lines(cycle.plan)
        laggards = list(unsubmitted_organisations(cycle, today=today).select_related("parent"))
        claims = []
        for organisation in laggards:
            stage = reminder_stage(
                cycle, today, due_on=lines.due_on(organisation.kind, cycle.due_on)
            )
            if stage is not None:
                claims.append(
                    Reminder(
                        cycle=cycle,
                        organisation=organisation,
                        stage=stage[0],
                        days_to_due=stage[1],
                        status=ReminderStatus.CLAIMED,
                    )
                )
        if claims:
            taken = set(
                Reminder.objects.filter(
                    cycle=cycle, stage__in={claim.stage for claim in claims}
                ).values_list("organisation_id", "stage")
            )
            for reminder in claim_all(claims, taken, key=lambda r: (r.organisation_id, r.stage)):
                counts["reminders"] += 1
                job_queue("reports.send_reminder", reminder_id=reminder.pk)
        counts["digests"] += digests_send(cycle=cycle, day=today, laggards=laggards)
    return counts


@transaction.atomic
def reminder_send_now(
    *, cycle: ReportingCycle, organisation: Organisation, actor: User
) -> Reminder:
    """A reviewer's "send a reminder now" to one organisation: at most once per local day,
    by claiming the stage manual-<date>. Refused (ReminderRefused) when the cycle is
    closed, the organisation has closed, its report is with the committee (submitted or
    accepted; a returned one may be reminded), or it was reminded this way today."""
    if not cycle.is_open:
        raise ReminderRefused(_("Kỳ báo cáo đã đóng, không gửi nhắc hạn."))
    today = timezone.localdate()
    if organisation.valid_to is not None and organisation.valid_to < today:
        raise ReminderRefused(
            _("%(org)s đã kết thúc hoạt động từ ngày %(day)s, không gửi nhắc hạn.")
            % {"org": organisation.name, "day": organisation.valid_to.strftime("%d/%m/%Y")}
        )
    report = AnnualReport.objects.filter(cycle=cycle, organisation=organisation).first()
    if not is_awaited(report):
        raise ReminderRefused(
            _("%(org)s đã gửi báo cáo, không cần nhắc hạn.") % {"org": organisation.name}
        )
    reminder = reminder_claim(
        cycle=cycle,
        organisation=organisation,
        stage=f"manual-{today.isoformat()}",
        days_to_due=(today - cycle.due_on_for(organisation.kind)).days,
        requested_by=actor,
    )
    if reminder is None:
        raise ReminderRefused(_("Đã nhắc hạn đơn vị này hôm nay; có thể nhắc lại từ ngày mai."))
    job_queue("reports.send_reminder", reminder_id=reminder.pk)
    return reminder


def _reminder_content(reminder: Reminder, report: AnnualReport | None) -> tuple[EmailContent, str]:
    cycle = reminder.cycle
    organisation = reminder.organisation
    if report is not None:
        path = report.get_absolute_url()
    else:
        path = reverse("reports:report_start", args=[cycle.pk, organisation.code])
    days = reminder.days_to_due
    content = render_email(
        "reminder",
        {
            "cycle": cycle,
            "organisation": organisation,
            "report": report,
            "due_on": cycle.due_on_for(organisation.kind),
            "days_left": -days if days < 0 else 0,
            "days_late": days if days > 0 else 0,
            "due_today": days == 0,
            "manual": reminder.stage.startswith("manual-"),
            "link": absolute_url(path),
        },
    )
    return content, path


def reminder_deliver(*, reminder_id: int) -> str:
    """One attempt at one claimed reminder. Returns "sent", "skipped" (the report was
    submitted meanwhile: no longer ``is_awaited``), "failed" (the last attempt failed) or
    "not-due" (already done, or being sent by another worker right now); raises the SMTP
    error when a later attempt should try again. The in-app notifications go with the
    first attempt, whatever the mail server does."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("cycle__plan", "organisation")
            .filter(pk=reminder_id, status__in=UNSENT)
            .first()
        )
        if reminder is None:
            return "not-due"
        report = AnnualReport.objects.filter(
            cycle_id=reminder.cycle_id, organisation_id=reminder.organisation_id
        ).first()
        if not is_awaited(report):
            Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.SKIPPED)
            return "skipped"
        reporters = organisation_reporters([reminder.organisation_id])[reminder.organisation_id]
        recipients = addresses(reporters)
        content, path = _reminder_content(reminder, report)
        if reminder.attempts == 0:
            notifications_create(
                reporters, title=content.subject, body=_deadline_line(reminder), url=path
            )
        final = reminder.attempts + 1 > settings.EMAIL_MAX_RETRIES
        try:
            if recipients:
                send_email(content, recipients)
        except TEMPORARY_ERRORS as exc:
            error = exc
        else:
            Reminder.objects.filter(pk=reminder.pk, status__in=UNSENT).update(
                status=ReminderStatus.SENT,
                sent_at=timezone.now(),
                recipients=recipients,
                attempts=F("attempts") + 1,
                last_error="",
            )
            return "sent"
        Reminder.objects.filter(pk=reminder.pk, status__in=UNSENT).update(
            status=ReminderStatus.FAILED if final else ReminderStatus.CLAIMED,
            recipients=recipients,
            attempts=F("attempts") + 1,
            last_error=describe_error(error),
        )
    if final:
        logger.warning("Reminder %s failed for good: %s", reminder_id, describe_error(error))
        return "failed"
    raise error


def _deadline_line(reminder: Reminder) -> str:
    due = reminder.cycle.due_on_for(reminder.organisation.kind).strftime("%d/%m/%Y")
    days = reminder.days_to_due
    if days < 0:
        return _("Hạn nộp %(due)s, còn %(n)s ngày.") % {"due": due, "n": -days}
    if days == 0:
        return _("Hôm nay (%(due)s) là hạn nộp.") % {"due": due}
    return _("Hạn nộp %(due)s, đã quá hạn %(n)s ngày.") % {"due": due, "n": days}


def reminders_by_organisation(
    cycle: ReportingCycle, organisation_ids: list[int] | None = None
) -> dict[int, list[Reminder]]:
    """Every reminder of the cycle (of these organisations, when given), newest first, by
    organisation id: one query, for the reminder column of the cycle page and the
    dashboard."""
    result: dict[int, list[Reminder]] = defaultdict(list)
    reminders = Reminder.objects.filter(cycle=cycle)
    if organisation_ids is not None:
        reminders = reminders.filter(organisation_id__in=organisation_ids)
    for reminder in reminders.order_by("-claimed_at", "-pk"):
        result[reminder.organisation_id].append(reminder)
    return dict(result)
