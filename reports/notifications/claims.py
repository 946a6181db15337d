"""Claiming many deliveries at once: one INSERT for the whole day's reminders or digests,
and still at most one row per unique key however many runs race."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


def claim_all(rows: list[M], taken: set, key: Callable[[M], Hashable]) -> list[M]:
    """Insert the rows whose key is not in ``taken`` (what was claimed before this run
    looked) and return those inserted. Normally a single statement; when another run
    inserted some of them meanwhile, the unique constraint refuses the batch and the rows
    go in one by one, each in its own savepoint, keeping only those this run won. Rows are
    inserted in key order, so two racing runs wait on each other instead of deadlocking."""
    fresh = sorted((row for row in rows if key(row) not in taken), key=lambda r: str(key(r)))
    if not fresh:
        return []
    model = type(fresh[0])
    try:
        with transaction.atomic():
            return model._default_manager.bulk_create(fresh)
    except IntegrityError:
        pass
    claimed = []
    for row in fresh:
        row.pk = None
        row._state.adding = True
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            continue
        claimed.append(row)
    return claimed
