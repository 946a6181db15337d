"""The reviewers' daily digest of overdue organisations, one per reporting node.

Each committee's reviewers hear only about the organisations that report to their
committee (DESIGN §4, "cascade"): the province's reviewers about the districts, the
affiliated committees and the province's own bodies, a district's reviewers about its
grassroots. Nobody is told another district's names. An organisation is overdue once its
own due date (its level's, ``ReportingCycle.due_on_for``) has passed while its report is
still awaited (``reports.notifications.awaiting``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from organisations.lineage import carried_on_by
from organisations.models import COMMITTEE_KINDS, Organisation
from organisations.tree import tops_of
from reports.models import (
    AnnualReport,
    Notification,
    ReminderStatus,
    ReportingCycle,
    ReviewerDigest,
)
from reports.notifications.awaiting import HANDED_IN
from reports.notifications.claims import claim_all
from reports.notifications.email import absolute_url, addresses, render_email
from reports.notifications.outbox import outbox_add_many
from reports.notifications.recipients import node_reviewers
from tasks.lines import PlanLines, ReportingNode, nodes, plan_lines

logger = logging.getLogger(__name__)


def addressees(organisations: list[Organisation], lines: PlanLines) -> dict[int, int]:
    """The reporting node of each organisation (as ``tasks.lines.target_of``, for many at
    once), followed to the committee that carries it on today: a report meant for a
    committee since merged goes to its successor. Needs ``parent`` selected; at most two
    queries however many organisations."""
    to_top = [o.pk for o in organisations if o.kind in lines.to_top]
    tops = tops_of(to_top) if to_top else {}
    targets: dict[int, int] = {}
    for organisation in organisations:
        if organisation.kind in lines.to_top:
            if tops[organisation.pk] != organisation.pk:
                targets[organisation.pk] = tops[organisation.pk]
            continue
        parent = organisation.parent
        if parent is None:
            continue
        if parent.kind in COMMITTEE_KINDS or parent.parent_id is None:
            targets[organisation.pk] = parent.pk
        elif parent.parent_id is not None:
            targets[organisation.pk] = parent.parent_id
    current = carried_on_by(set(targets.values()))
    return {pk: current.get(target, target) for pk, target in targets.items()}


def digest_link(cycle: ReportingCycle, node: ReportingNode) -> str:
    """The cycle page at the node's own level (the province's is the default)."""
    path = cycle.get_absolute_url()
    return path if node.top else f"{path}?don_vi={node.organisation.code}"


def digests_send(*, cycle: ReportingCycle, day: dt.date, laggards: list[Organisation]) -> int:
    """Claim today's digest of every node with overdue organisations and, in the same
    transaction, notify each node's reviewers and write its e-mail to the outbox (which
    delivers and retries it). ``laggards`` are the organisations whose report is awaited,
    with ``parent`` selected. Returns the number of digests claimed by this call: a node's
    digest claimed already today is left alone. A fixed number of queries however many
    organisations and nodes."""
    lines = plan_lines(cycle.plan)
    overdue = [o for o in laggards if lines.due_on(o.kind, cycle.due_on) < day]
    if not overdue:
        return 0
    statuses = dict(
        AnnualReport.objects.filter(cycle=cycle)
        .exclude(status__in=HANDED_IN)
        .values_list("organisation_id", "status")
    )
    targets = addressees(overdue, lines)
    rows: dict[int, list[dict]] = defaultdict(list)
    for organisation in overdue:
        node_id = targets.get(organisation.pk)
        if node_id is None:
            continue  # a top committee reports to nobody
        due_on = lines.due_on(organisation.kind, cycle.due_on)
        status = statuses.get(organisation.pk, "")
        rows[node_id].append(
            {
                "code": organisation.code,
                "name": organisation.name,
                "due_on": due_on.isoformat(),
                "days_late": (day - due_on).days,
                "status": status,
                "started": status == "draft",
            }
        )
    found = nodes(set(rows))
    reviewers = node_reviewers({pk: node.line for pk, node in found.items()})
    claims = [
        ReviewerDigest(
            cycle=cycle,
            node_id=pk,
            day=day,
            overdue=rows[pk],
            recipients=addresses(reviewers[pk]),
        )
        for pk in sorted(found)
    ]
    with transaction.atomic():
        taken = set(
            ReviewerDigest.objects.filter(cycle=cycle, day=day).values_list("node_id", flat=True)
        )
        claimed = claim_all(claims, taken, key=lambda digest: digest.node_id)
        if not claimed:
            return 0
        notifications, messages = [], []
        for digest in claimed:
            node = found[digest.node_id]
            content = render_email("digest", _context(cycle, day, node, digest.overdue))
            path = digest_link(cycle, node)
            notifications += [
                Notification(
                    user=person,
                    title=content.subject[:255],
                    body=", ".join(row["name"] for row in digest.overdue),
                    url=path[:500],
                )
                for person in reviewers[digest.node_id]
            ]
            messages.append(("digest", digest.recipients, content))
        Notification.objects.bulk_create(notifications)
        outbox_add_many(messages)
        # "Sent" here means handed to the outbox, which records the delivery itself.
        ReviewerDigest.objects.filter(
            pk__in=[digest.pk for digest in claimed], status=ReminderStatus.CLAIMED
        ).update(status=ReminderStatus.SENT, sent_at=timezone.now())
    return len(claimed)


def _context(cycle: ReportingCycle, day: dt.date, node: ReportingNode, overdue: list[dict]):
    due_dates = sorted({row["due_on"] for row in overdue})
    return {
        "cycle": cycle,
        "day": day,
        "node": node.organisation,
        # The level's due date; organisations of different levels may report to one
        # committee (communes and grassroots to a district), each row says its own lateness.
        "due_on": dt.date.fromisoformat(due_dates[0]),
        "mixed": len(due_dates) > 1,
        "days_late": max(row["days_late"] for row in overdue),
        "overdue": overdue,
        "link": absolute_url(digest_link(cycle, node)),
    }
