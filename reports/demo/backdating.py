"""Dating the demo's steps back: each step runs through the real services now, then what
it stamped with the current time is set to the moment the step would have happened."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from reports.models import (
    AnnualReport,
    Attachment,
    Contribution,
    Notification,
    ReportEvent,
    ReportingCycle,
    SubPlan,
)
from reports.notifications.outbox import outbox_held

# The fields the services stamp with the current time.
STAMPED = {
    ReportingCycle: ("created_at", "closed_at"),
    AnnualReport: (
        "created_at", "last_saved_at", "first_submitted_at", "last_submitted_at", "accepted_at",
    ),
    ReportEvent: ("at",),
    Attachment: ("uploaded_at",),
    SubPlan: ("registered_at",),
    Contribution: ("created_at", "updated_at", "sent_at"),
    Notification: ("created_at",),
}  # fmt: skip

# The table a statement writes to, as Django writes it on PostgreSQL and SQLite
# (INSERT INTO "t" …, UPDATE "t" SET …).
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)


@contextmanager
def back_dated(moment: dt.datetime) -> Iterator[None]:
    """Date what the block stamps back to `moment`. Everything dated back before is
    earlier than the block's start (the history ends before today), so only the block's
    own rows match. Only the tables the block wrote to are looked at (a step writes two
    or three of the seven): the history takes some 1,500 steps, and an UPDATE of every
    table after each was a quarter of the demo's build. The block writes no e-mail
    (outbox_held): it would reach people now about what happened years ago, and its
    delivery job would crowd the broker."""
    started = timezone.now()
    written: set[str] = set()

    def note(execute, sql, params, many, context):
        if match := _WRITE.match(sql):
            written.add(match.group(1))
        return execute(sql, params, many, context)

    with outbox_held(), connection.execute_wrapper(note):
        yield
    for model, fields in STAMPED.items():
        if model._meta.db_table not in written:
            continue
        fresh = {field: Q(**{f"{field}__gte": started}) for field in fields}
        model.objects.filter(reduce(or_, fresh.values())).update(
            **{
                field: Case(When(condition, then=Value(moment)), default=F(field))
                for field, condition in fresh.items()
            }
        )
