"""Notifications: deadline reminders, the reviewers' daily digest, report events, and the
outbox that carries their e-mails.

Idempotent by construction (STYLE, Celery):

- A reminder (scheduled or a reviewer's "send now") is a Reminder row claimed, that is
  inserted, before anything is sent. The unique (cycle, organisation, stage) makes a second
  claim fail, so each stage goes out once however often, and in however many workers, the
  daily job runs. The digest is claimed the same way by ReviewerDigest(cycle, day).
- One delivery attempt takes the claimed row under a row lock (SKIP LOCKED: a worker that
  finds it locked leaves it to the one holding it) and re-checks its status, so a retry, the
  sweep and a duplicate job can never send a reminder that is already sent.
- E-mails decided inside a transaction (a submission, a return, the digest) are
  OutboxMessage rows written in that same transaction. After commit a job delivers each; if
  the broker was down at that moment, the five-minute sweep delivers it instead.
- SMTP errors are temporary: the row counts attempts across every path (job retries and
  sweeps), and the attempt after settings.EMAIL_MAX_RETRIES retries marks it failed with
  the error, where reviewers see it.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError

from organisations.models import Membership, Organisation, Role, User

from .figures import expected_organisations
from .models import (
    AnnualReport,
    CycleStatus,
    EventKind,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Reminder,
    ReminderStatus,
    ReportingCycle,
    ReviewerDigest,
)
from .selectors import top_of

logger = logging.getLogger(__name__)

# Worth another try later: the mail server or the network was unavailable.
TEMPORARY_ERRORS = (smtplib.SMTPException, ConnectionError, OSError)
# Queuing a job failed: the broker is down. The sweep delivers what was not queued.
BROKER_ERRORS = (BrokerOperationalError, ConnectionError, OSError)
# The sweep leaves a fresh message to the job queued at commit, and a message in the
# middle of its retries (at most ~31 minutes, see reports.jobs) to those retries.
SWEEP_AFTER = dt.timedelta(minutes=1)
REMINDER_SWEEP_AFTER = dt.timedelta(minutes=10)
RETRIES_LOST_AFTER = dt.timedelta(hours=2)
SWEEP_BATCH = 100
# A reminder may be (re)sent only from these states; "sent" and "skipped" are final.
UNSENT = (ReminderStatus.CLAIMED, ReminderStatus.FAILED)

EVENT_TEMPLATES = {
    EventKind.SUBMITTED: "report-submitted",
    EventKind.RETURNED: "report-returned",
    EventKind.ACCEPTED: "report-accepted",
    EventKind.REOPENED: "report-reopened",
}


class ReminderRefused(Exception):
    """A manual reminder that is not sent; the message tells the reviewer why."""


# E-mail ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def render_email(name: str, context: dict) -> EmailContent:
    """templates/emails/<name>-subject.txt, -body.txt and -body.html, in Vietnamese even in
    a worker, where no request has activated a language."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        return EmailContent(
            subject=" ".join(subject.split())[:255],
            text=render_to_string(f"emails/{name}-body.txt", context),
            html=render_to_string(f"emails/{name}-body.html", context),
        )


def send_email(content: EmailContent, to: list[str]) -> None:
    message = EmailMultiAlternatives(subject=content.subject, body=content.text, to=to)
    if content.html:
        message.attach_alternative(content.html, "text/html")
    message.send()


def describe_error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def _queue(job_name: str, **kwargs) -> None:
    """Hand a job to the broker; if the broker is down, the sweep does the work later."""
    from .jobs import outbox, reminders

    job = {
        "reports.send_reminder": reminders.send_reminder,
        "reports.deliver_outbox_message": outbox.deliver_outbox_message,
    }[job_name]
    try:
        job.delay(**kwargs)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Could not queue %s %s (%s); the sweep will deliver it.", job_name, kwargs, exc
        )


# Who hears about what -------------------------------------------------------------------


def organisation_reporters(organisation_ids) -> dict[int, list[User]]:
    """The active reporters of each organisation, in one query."""
    result: dict[int, list[User]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(
            role=Role.REPORTER, organisation_id__in=organisation_ids, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    )
    for membership in memberships:
        result[membership.organisation_id].append(membership.user)
    return result


def plan_reviewers(plan) -> list[User]:
    """People with a reviewer role in the plan's own province: exactly those for whom
    can_review(user, plan) holds (administrators without that role are not written to)."""
    cache: dict[int, int] = {}
    top = top_of(plan.issuer, cache)
    memberships = (
        Membership.objects.filter(role=Role.REVIEWER, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    reviewers: dict[int, User] = {}
    for membership in memberships:
        if membership.user_id in reviewers:
            continue
        if top_of(membership.organisation, cache) == top:
            reviewers[membership.user_id] = membership.user
    return list(reviewers.values())


def addresses(people: list[User]) -> list[str]:
    return sorted({person.email for person in people if person.email})


def notifications_create(people: list[User], *, title: str, body: str = "", url: str = "") -> None:
    Notification.objects.bulk_create(
        Notification(user=person, title=title[:255], body=body, url=url[:500]) for person in people
    )


# The outbox -----------------------------------------------------------------------------


def outbox_add(
    *, kind: str, to: list[str], content: EmailContent, report: AnnualReport | None = None
) -> OutboxMessage | None:
    """Write an e-mail in the caller's transaction and queue its delivery for after the
    commit. Nobody with an address: nothing to write."""
    if not to:
        return None
    message = OutboxMessage.objects.create(
        kind=kind,
        to=to,
        subject=content.subject,
        body_text=content.text,
        body_html=content.html,
        report=report,
    )
    transaction.on_commit(partial(_queue, "reports.deliver_outbox_message", message_id=message.pk))
    return message


def outbox_deliver(*, message_id: int) -> str:
    """One attempt at one outbox message. Returns "sent", "failed" (the last attempt
    failed), or "not-pending" (already sent, or being sent by another worker right now);
    raises the SMTP error when a later attempt should try again."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return "not-pending"
        final = message.attempts + 1 > settings.EMAIL_MAX_RETRIES
        try:
            send_email(
                EmailContent(message.subject, message.body_text, message.body_html), message.to
            )
        except TEMPORARY_ERRORS as exc:
            error = exc
        else:
            OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
            return "sent"
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
            attempts=F("attempts") + 1,
            last_error=describe_error(error),
        )
    if final:
        logger.warning("E-mail %s failed for good: %s", message_id, describe_error(error))
        return "failed"
    raise error


def outbox_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver, here and now, what no queued job is going to deliver: outbox messages and
    reminders whose job never reached the broker, and those whose retries were lost."""
    now = now or timezone.now()
    counts = {"messages": 0, "reminders": 0}
    lost = now - RETRIES_LOST_AFTER
    messages = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(attempts=0, created_at__lt=now - SWEEP_AFTER) | Q(created_at__lt=lost))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    try:
        for message_id in list(messages):
            if outbox_deliver(message_id=message_id) == "sent":
                counts["messages"] += 1
    except TEMPORARY_ERRORS:
        # Recorded on the row. The mail server is down: trying the rest now would only
        # run into the job's time limit, one timeout after another; the next sweep will.
        return counts
    reminders = (
        Reminder.objects.filter(status=ReminderStatus.CLAIMED)
        .filter(Q(attempts=0, claimed_at__lt=now - REMINDER_SWEEP_AFTER) | Q(claimed_at__lt=lost))
        .order_by("claimed_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    try:
        for reminder_id in list(reminders):
            if reminder_deliver(reminder_id=reminder_id) == "sent":
                counts["reminders"] += 1
    except TEMPORARY_ERRORS:
        pass  # as above
    return counts


# Report events --------------------------------------------------------------------------


def report_event_notify(
    *, report: AnnualReport, kind: str, actor: User | None = None, comment: str = ""
) -> OutboxMessage | None:
    """Tell the people concerned that a report moved, inside the service's transaction:
    a submission goes to the plan's reviewers; a return, an acceptance or a reopening to
    the organisation's reporters. In-app notifications, and one e-mail in the outbox."""
    name = EVENT_TEMPLATES.get(kind)
    if name is None:
        return None
    cycle = report.cycle
    organisation = report.organisation
    if kind == EventKind.SUBMITTED:
        people = plan_reviewers(cycle.plan)
    else:
        people = organisation_reporters([organisation.pk])[organisation.pk]
    people = [person for person in people if actor is None or person.pk != actor.pk]
    if not people:
        return None
    link = absolute_url(report.get_absolute_url())
    content = render_email(
        name,
        {
            "report": report,
            "cycle": cycle,
            "organisation": organisation,
            "actor": actor,
            "comment": comment,
            "link": link,
            "submitted_at": report.last_submitted_at,
            "resubmission": report.submission_count > 1,
        },
    )
    notifications_create(people, title=content.subject, body=comment, url=report.get_absolute_url())
    return outbox_add(kind=name, to=addresses(people), content=content, report=report)


# Deadline reminders ---------------------------------------------------------------------


def reminder_stage(cycle: ReportingCycle, today: dt.date) -> tuple[str, int] | None:
    """The scheduled reminder due today, as (stage, days from the due date), or None.

    Each offset of the cycle (negative = before the due date) is a stage; after the last
    positive offset the reminder repeats weekly while the report is still missing. A cycle
    whose offsets were cleared has no scheduled reminders."""
    days = (today - cycle.due_on).days
    offsets = sorted(set(cycle.reminder_offsets or []))
    if days in offsets:
        return f"due{days:+d}", days
    after = [offset for offset in offsets if offset > 0]
    if after and days > after[-1] and (days - after[-1]) % 7 == 0:
        return f"due{days:+d}", days
    return None


def unsubmitted_organisations(cycle: ReportingCycle) -> QuerySet[Organisation]:
    """Expected organisations with no report, or one never submitted."""
    submitted = AnnualReport.objects.filter(cycle=cycle, first_submitted_at__isnull=False).values(
        "organisation_id"
    )
    return expected_organisations(cycle).exclude(pk__in=submitted)


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
    each organisation that has not submitted and queue its sending; past the due date,
    claim and send the reviewers' digest. Safe to run any number of times, concurrently."""
    counts = {"reminders": 0, "digests": 0}
    cycles = ReportingCycle.objects.filter(
        status=CycleStatus.OPEN, opens_on__lte=today, closes_on__gte=today
    ).select_related("plan__issuer")
    for cycle in cycles:
        stage = reminder_stage(cycle, today)
        laggards = list(unsubmitted_organisations(cycle))
        if stage is not None:
            name, days = stage
            for organisation in laggards:
                reminder = reminder_claim(
                    cycle=cycle, organisation=organisation, stage=name, days_to_due=days
                )
                if reminder is not None:
                    counts["reminders"] += 1
                    transaction.on_commit(
                        partial(_queue, "reports.send_reminder", reminder_id=reminder.pk)
                    )
        if (
            today > cycle.due_on
            and laggards
            and digest_send(cycle=cycle, day=today, laggards=laggards)
        ):
            counts["digests"] += 1
    return counts


@transaction.atomic
def reminder_send_now(
    *, cycle: ReportingCycle, organisation: Organisation, actor: User
) -> Reminder:
    """A reviewer's "send a reminder now" to one organisation: at most once per local day,
    by claiming the stage manual-<date>. Refused (ReminderRefused) when the cycle is
    closed, the organisation has submitted, or it was reminded this way today."""
    if not cycle.is_open:
        raise ReminderRefused(_("Kỳ báo cáo đã đóng, không gửi nhắc hạn."))
    if AnnualReport.objects.filter(
        cycle=cycle, organisation=organisation, first_submitted_at__isnull=False
    ).exists():
        raise ReminderRefused(
            _("%(org)s đã gửi báo cáo, không cần nhắc hạn.") % {"org": organisation.name}
        )
    today = timezone.localdate()
    reminder = reminder_claim(
        cycle=cycle,
        organisation=organisation,
        stage=f"manual-{today.isoformat()}",
        days_to_due=(today - cycle.due_on).days,
        requested_by=actor,
    )
    if reminder is None:
        raise ReminderRefused(_("Đã nhắc hạn đơn vị này hôm nay; có thể nhắc lại từ ngày mai."))
    transaction.on_commit(partial(_queue, "reports.send_reminder", reminder_id=reminder.pk))
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
            "due_on": cycle.due_on,
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
    submitted meanwhile), "failed" (the last attempt failed) or "not-due" (already done, or
    being sent by another worker right now); raises the SMTP error when a later attempt
    should try again. The in-app notifications go with the first attempt, whatever the
    mail server does."""
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
        if report is not None and report.first_submitted_at is not None:
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
    due = reminder.cycle.due_on.strftime("%d/%m/%Y")
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


# The reviewers' digest ------------------------------------------------------------------


def digest_send(
    *, cycle: ReportingCycle, day: dt.date, laggards: list[Organisation]
) -> ReviewerDigest | None:
    """Claim the cycle's digest for the day and, in the same transaction, notify the
    plan's reviewers and write the e-mail to the outbox (which delivers and retries it).
    None if today's digest was claimed already."""
    days_late = (day - cycle.due_on).days
    drafts = set(
        AnnualReport.objects.filter(
            cycle=cycle, organisation__in=laggards, first_submitted_at__isnull=True
        ).values_list("organisation_id", flat=True)
    )
    overdue = [
        {
            "code": o.code,
            "name": o.name,
            "days_late": days_late,
            "started": o.pk in drafts,
        }
        for o in laggards
    ]
    reviewers = plan_reviewers(cycle.plan)
    recipients = addresses(reviewers)
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = ReviewerDigest.objects.create(
                    cycle=cycle, day=day, overdue=overdue, recipients=recipients
                )
        except IntegrityError:
            return None
        path = cycle.get_absolute_url()
        content = render_email(
            "digest",
            {
                "cycle": cycle,
                "day": day,
                "due_on": cycle.due_on,
                "days_late": days_late,
                "overdue": overdue,
                "link": absolute_url(path),
            },
        )
        notifications_create(
            reviewers,
            title=content.subject,
            body=", ".join(row["name"] for row in overdue),
            url=path,
        )
        outbox_add(kind="digest", to=recipients, content=content)
        # "Sent" here means handed to the outbox, which records the delivery itself.
        ReviewerDigest.objects.filter(pk=digest.pk, status=ReminderStatus.CLAIMED).update(
            status=ReminderStatus.SENT, sent_at=timezone.now()
        )
    return digest


# The notification centre ----------------------------------------------------------------


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_mark_read(*, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
