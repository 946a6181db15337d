"""The one order organisations are listed in, on every page and in every export.

People read a list of organisations the way the Party's tree is drawn: the district-level
committees first, then the đảng ủy trực thuộc, then the commune-level committees and the
grassroots below them, then the other bodies (Ban, Mặt trận, đoàn thể); within a kind by
name, as Vietnamese is alphabetised (Ă after A, Đ after D, tones only break ties). The
code is the last key so that the order is total.

Lists paginated in the database use ``usual_order`` (an ICU Vietnamese collation on
PostgreSQL; on the embedded SQLite a collation registered on each connection that
compares with ``name_key``); lists built in Python use ``sort_key``, which follows the
same rules.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import connection
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate

from organisations.models import OrganisationKind

KIND_ORDER: list[str] = [
    OrganisationKind.PROVINCIAL_COMMITTEE,
    OrganisationKind.DISTRICT_COMMITTEE,
    OrganisationKind.AFFILIATED_COMMITTEE,
    OrganisationKind.COMMUNE_COMMITTEE,
    OrganisationKind.GRASSROOTS,
    OrganisationKind.CELL,
    OrganisationKind.STANDING_COMMITTEE,
    OrganisationKind.STANDING_OFFICE,
    OrganisationKind.ADVISORY_BODY,
    OrganisationKind.FRONT,
    OrganisationKind.MASS_ORGANISATION,
    OrganisationKind.EXTERNAL,
]
KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}

# PostgreSQL's ICU collation for Vietnamese; on SQLite, ours (register_sqlite_collation).
VIETNAMESE_COLLATION = "vi-x-icu"
SQLITE_COLLATION = "vi_plan112"

# The Vietnamese alphabet; a letter with a tone mark sorts with its base letter.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {letter: rank for rank, letter in enumerate(ALPHABET)}
# The combining marks that make new letters (breve, circumflex, horn); the others are tones.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # huyền, hỏi, ngã, sắc, nặng


def kind_rank(prefix: str = "") -> Case:
    """The kind's place in KIND_ORDER, as an SQL expression (``prefix`` reaches the
    organisation through a relation: "organisation__")."""
    return Case(
        *(When(**{f"{prefix}kind": kind}, then=Value(rank)) for kind, rank in KIND_RANK.items()),
        default=Value(len(KIND_ORDER)),
        output_field=IntegerField(),
    )


def _name(prefix: str) -> Any:
    name = F(f"{prefix}name")
    if connection.vendor == "postgresql":
        return Collate(name, VIETNAMESE_COLLATION)
    if connection.vendor == "sqlite":
        return Collate(name, SQLITE_COLLATION)
    return name


def usual_order(prefix: str = "") -> list[OrderBy | Any]:
    """Order-by terms for a queryset of organisations (or of rows pointing at one)."""
    return [kind_rank(prefix).asc(), _name(prefix).asc(), F(f"{prefix}code").asc()]


def name_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """A Python sort key for a Vietnamese name: letters first, then tones, then case."""
    letters: list[int] = []
    tones: list[int] = []
    for char in name.lower():
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        letter = base + "".join(m for m in marks if m in _LETTER_MARKS)
        letter = unicodedata.normalize("NFC", letter)
        tone = next((m for m in marks if m not in _LETTER_MARKS), "")
        if letter in _LETTER:
            letters.append(_LETTER[letter] + 1000)  # after spaces, digits and punctuation
        else:
            letters.append(ord(letter[0]) if ord(letter[0]) < 1000 else 1000 + len(_LETTER))
        tones.append(_TONES.index(tone) if tone in _TONES else len(_TONES))
    return tuple(letters), tuple(tones), name


def sort_key(organisation: Any) -> tuple:
    """The Python twin of ``usual_order`` for an Organisation."""
    return (
        KIND_RANK.get(organisation.kind, len(KIND_ORDER)),
        name_key(organisation.name),
        organisation.code,
    )


def _compare(first: str, second: str) -> int:
    a, b = name_key(first), name_key(second)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """SQLite knows no Vietnamese order: teach each new connection ``name_key``'s, so the
    embedded default lists organisations as PostgreSQL does (a connection_created
    receiver)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)
