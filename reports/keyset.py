"""Keyset paging: a page of a long list is the rows after (or before) the edge of the page
seen, sought through the index that serves the list's order, so the last page costs what
the first does.

Django's Paginator counts the whole list and reaches a page with OFFSET: the database
reads and sorts every row before the page, so the last page of a national list costs
seconds. Here a page starts where the one seen ended: its cursor holds that row's sort
key, and the page is the rows whose key follows it, ``(a, b, c) >= (x, y, z)`` less that
row: one condition the database seeks to in the index. There is no count and no page
total. The terms of the order are whole numbers or text, never NULL.

A list may be cut into *sections* that come whole one after another (the inbox: this
year's submitted reports, then its returned ones, …, then last year's). Each section is
a condition on the list's rows, read by a query of its own only while the page is not
full, so no query sorts rows of two sections together, which no index could serve.
Within a section the order is the list's ``order_by`` (ascending terms) and then the
primary key, so that the order is total and rows with equal keys are neither repeated
nor skipped at a page's edge. A section's ``place`` is a tuple of whole numbers that
sorts like the sections.

A cursor is signed (``django.core.signing``, salted per list): it cannot be edited or
forged, and one made for another list, or for an older shape of this one (change the
salt when the order changes), is a ``BadCursor``. Each page says what a bad cursor means
to it: the inbox shows its first page, the API answers 400.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import BooleanField, F, Func, Model, Q, QuerySet, Value
from django.db.models.expressions import OrderBy

MAX_CURSOR = 2000  # characters: a real cursor is a few hundred


class BadCursor(ValueError):
    """A cursor not made for this list: edited, cut short, or from another list."""


@dataclass(frozen=True)
class Section:
    """A part of a list that comes whole before the next: its place among the parts, and
    the condition its rows meet."""

    place: tuple[int, ...]
    condition: Q


WHOLE = (Section(place=(), condition=Q()),)  # a list of one section


@dataclass(frozen=True)
class KeysetPage:
    """One page: its rows, its number (1 for the first), and the cursors of the pages
    around it. ``next`` is empty on the last page; ``previous`` is empty on the first and on
    the second (whose previous page is the first: no cursor)."""

    rows: list[Any]  # the sections' model instances
    number: int
    next: str
    previous: str

    @property
    def has_next(self) -> bool:
        return bool(self.next)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class _Edge:
    """Where a page begins: after (or, going back, before) the row with this place and
    key; ``number`` is the page's number."""

    place: tuple[int, ...]
    key: tuple[int | str, ...]
    number: int
    before: bool


class _From(Func):
    """``(a, b, …) >= (x, y, …)`` (``<=`` going back): a row-value comparison, which the
    database seeks to in an index on (a, b, …); the same order written as ORs of
    equalities it could only filter."""

    output_field = BooleanField()

    def __init__(self, terms: Sequence[Any], key: Sequence[int | str], *, before: bool):
        super().__init__(*terms, *(Value(value) for value in key))
        self.width = len(terms)
        self.operator = "<=" if before else ">="

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        left, right = ", ".join(parts[: self.width]), ", ".join(parts[self.width :])
        return f"({left}) {self.operator} ({right})", params


def _terms(rows: QuerySet) -> list[Any]:
    """The list's order as expressions, and the primary key last."""
    if not rows.query.order_by:
        raise ValueError("A keyset list must be ordered.")
    terms: list[Any] = []
    for term in rows.query.order_by:
        if isinstance(term, str):
            if term.startswith("-"):
                raise ValueError(f"Keyset terms are ascending: {term}")
            terms.append(F(term))
        elif isinstance(term, OrderBy):
            if term.descending:
                raise ValueError(f"Keyset terms are ascending: {term}")
            terms.append(term.expression)
        else:
            terms.append(term)
    return [*terms, F("pk")]


def _aliases(count: int) -> list[str]:
    return [f"keyset_{i}" for i in range(count)]


def _read(cursor: str, salt: str) -> _Edge:
    if len(cursor) > MAX_CURSOR:
        raise BadCursor(cursor[:20])
    try:
        before, number, place, key = signing.Signer(salt=salt).unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor(cursor[:20]) from exc
    whole = isinstance(number, int) and number >= 1 and before in (0, 1)
    if not (whole and isinstance(place, list) and isinstance(key, list)):
        raise BadCursor(cursor[:20])
    if not all(type(p) is int for p in place) or not all(type(k) in (int, str) for k in key):
        raise BadCursor(cursor[:20])
    return _Edge(place=tuple(place), key=tuple(key), number=number, before=bool(before))


def _write(place: tuple[int, ...], key: tuple, number: int, *, before: bool, salt: str) -> str:
    return signing.Signer(salt=salt).sign_object([int(before), number, list(place), list(key)])


Found = tuple[tuple[int, ...], tuple[Any, ...], Model]  # (place, key, row)


def _collect(
    rows: QuerySet,
    aliases: list[str],
    sections: Iterable[Section],
    edge: _Edge | None,
    wanted: int,
    *,
    backwards: bool,
) -> list[Found]:
    """Up to ``wanted`` rows from the edge on (from the start without one), backwards or
    forwards, each with its section's place and its key; ``rows`` hold their key's terms
    as ``aliases``, in order. A section is read only while rows are still wanted."""
    rows = rows.order_by(*(F(a).desc() for a in aliases)) if backwards else rows
    found: list[Found] = []
    for section in sections:
        if edge is not None:
            if len(section.place) != len(edge.place):
                raise BadCursor("place")
            if (section.place > edge.place) if backwards else (section.place < edge.place):
                continue
        part = rows.filter(section.condition)
        edge_key = None
        if edge is not None and section.place == edge.place:
            if len(edge.key) != len(aliases):
                raise BadCursor("key")
            edge_key = edge.key
            keys = [F(a) for a in aliases]
            # From the cursor's row on, that row included (and dropped below): PostgreSQL
            # estimates a row comparison by its first term, and a strict one on the last
            # kind of organisation would look empty, so it would sort the whole section
            # rather than walk the index. The bound without the primary key is the same
            # rows again, one the index on the other terms can seek to: they may all be
            # another table's (the inbox's are the organisation's), the key is the row's.
            part = part.filter(
                _From(keys[:-1], edge.key[:-1], before=backwards),
                _From(keys, edge.key, before=backwards),
            )
        for row in part[: wanted - len(found) + (edge_key is not None)]:
            key = tuple(getattr(row, a) for a in aliases)
            if key != edge_key and len(found) < wanted:
                found.append((section.place, key, row))
        if len(found) >= wanted:
            break
    return found


def keyset_page(
    rows: QuerySet,
    cursor: str = "",
    *,
    size: int,
    salt: str,
    sections: Sequence[Section] = WHOLE,
) -> KeysetPage:
    """The page a cursor points to (the first without one), of ``size`` rows at most, of
    an ordered queryset cut into ``sections`` (in the order of their places; one section,
    the whole list, by default). Raises ``BadCursor`` for a cursor not made for this
    list. One query per section read: only the sections the page reaches."""
    places = [section.place for section in sections]
    if places != sorted(places):
        raise ValueError("Keyset sections must come in the order of their places.")
    terms = _terms(rows)
    aliases = _aliases(len(terms))
    keyed = rows.annotate(**dict(zip(aliases, terms, strict=True))).order_by(*aliases)
    edge = _read(cursor, salt) if cursor else None
    backwards = edge is not None and edge.before
    in_order = list(reversed(sections)) if backwards else list(sections)
    found = _collect(keyed, aliases, in_order, edge, size + 1, backwards=backwards)
    if edge is not None and backwards:
        if len(found) <= size:  # nothing before these: they begin the list
            return keyset_page(rows, size=size, salt=salt, sections=sections)
        found, number, more = found[:size][::-1], max(edge.number, 2), True
    elif edge is not None and not found:
        # Past the end (its rows gone since the cursor was made): the list's last page.
        last = list(reversed(sections))
        found = _collect(keyed, aliases, last, None, size + 1, backwards=True)
        number = max(edge.number - 1, 2) if len(found) > size else 1
        found, more = found[:size][::-1], False
    else:
        number, more, found = edge.number if edge else 1, len(found) > size, found[:size]
    if not found:
        return KeysetPage(rows=[], number=1, next="", previous="")
    (first_place, first_key, _first), (last_place, last_key, _last) = found[0], found[-1]
    return KeysetPage(
        rows=[row for _place, _key, row in found],
        number=number,
        next=_write(last_place, last_key, number + 1, before=False, salt=salt) if more else "",
        previous=(
            _write(first_place, first_key, number - 1, before=True, salt=salt) if number > 2 else ""
        ),
    )
