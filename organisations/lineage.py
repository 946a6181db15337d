"""Reads that follow organisations through their successors (DESIGN §8): who came before
an organisation, and who carries on after it. Each is one recursive query however long
the chains and however many organisations are asked about, so pages that show lineage
keep a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

from organisations.models import Organisation


def _placeholders(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def predecessors_of(ids: Iterable[int]) -> dict[int, list[Organisation]]:
    """For each organisation id, every organisation that led to it through successors
    (the ones merged into it, and theirs in turn), ordered by code. Organisations with no
    predecessor are left out. One query."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Organisation._meta.db_table)
    # UNION (not UNION ALL) stops at a row already seen, should a chain ever loop.
    query = f"""
        WITH RECURSIVE lineage(id, root) AS (
            SELECT id, successor_id FROM {table} WHERE successor_id IN ({_placeholders(ids)})
            UNION
            SELECT o.id, l.root FROM {table} o JOIN lineage l ON o.successor_id = l.id
        )
        SELECT o.*, l.root AS lineage_root
        FROM lineage l JOIN {table} o ON o.id = l.id
        WHERE o.id <> l.root
        ORDER BY o.code
    """  # noqa: S608 -- only the quoted table name and placeholders are formatted in
    result: dict[int, list[Organisation]] = defaultdict(list)
    for organisation in Organisation.objects.raw(query, ids):
        result[organisation.lineage_root].append(organisation)  # type: ignore[attr-defined]
    return dict(result)


def carried_on_by(ids: Iterable[int]) -> dict[int, int]:
    """For each organisation id, the id of the organisation that carries on after it
    today: itself when it has no successor, else the end of its chain of successors (as
    ``Organisation.current_successor``, for many at once). One query."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Organisation._meta.db_table)
    query = f"""
        WITH RECURSIVE chain(id, current) AS (
            SELECT id, id FROM {table} WHERE id IN ({_placeholders(ids)})
            UNION
            SELECT c.id, o.successor_id FROM chain c JOIN {table} o ON o.id = c.current
            WHERE o.successor_id IS NOT NULL
        )
        SELECT c.id, c.current FROM chain c JOIN {table} o ON o.id = c.current
        WHERE o.successor_id IS NULL
    """  # noqa: S608 -- only the quoted table name and placeholders are formatted in
    with connection.cursor() as cursor:
        cursor.execute(query, ids)
        found = dict(cursor.fetchall())
    return {pk: found.get(pk, pk) for pk in ids}
