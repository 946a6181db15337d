"""The organisation tree, read with recursive SQL.

Each read is one query whatever the depth of the tree or the number of organisations:
a recursive common table expression walks the ``parent`` links inside the database. The
SQL is plain ``WITH RECURSIVE … UNION``, which PostgreSQL and SQLite both run; ``UNION``
(not ``UNION ALL``) drops rows already seen, so even a loop of parents that slipped past
validation ends the walk instead of running forever.

Validity dates and successors play no part here: a closed organisation stays where it
was in the tree, so old reports and memberships keep their place under their province.
The top of a tree is the organisation without a parent (a province committee, or an
outside body such as Bộ Chính trị).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import Membership, Organisation

Sql = tuple[str, tuple[int, ...]]

# Templates of the recursive reads. {start} is a SELECT of organisation ids; {table},
# {pk} and {parent} are the names the model gives. Each names its own table expression,
# so one can be nested inside another.
_ANCESTORS = (
    "WITH RECURSIVE tree_up(id, parent_id) AS ("
    "SELECT {pk}, {parent} FROM {table} WHERE {pk} IN ({start}) "
    "UNION "
    "SELECT o.{pk}, o.{parent} FROM {table} o JOIN tree_up ON o.{pk} = tree_up.parent_id"
    ") SELECT id FROM tree_up"
)
_PARENTS = "SELECT {parent} FROM {table} WHERE {pk} IN ({start})"
_DESCENDANTS = (
    "WITH RECURSIVE tree_down(id) AS ("
    "SELECT {pk} FROM {table} WHERE {first} IN ({start}) "
    "UNION "
    "SELECT o.{pk} FROM {table} o JOIN tree_down ON o.{parent} = tree_down.id"
    ") SELECT id FROM tree_down"
)
# Rows (start_id, top_id): one per starting organisation that has a top; one caught in a
# loop of parents never reaches a row without parent and gets none.
_TOPS = (
    "WITH RECURSIVE tree_top(start_id, id, parent_id) AS ("
    "SELECT {pk}, {pk}, {parent} FROM {table} WHERE {pk} IN ({start}) "
    "UNION "
    "SELECT tree_top.start_id, o.{pk}, o.{parent} "
    "FROM {table} o JOIN tree_top ON o.{pk} = tree_top.parent_id"
    ") SELECT start_id, id FROM tree_top WHERE parent_id IS NULL"
)
_TOP_IDS = "SELECT id FROM ({start}) tops"


def _render(template: str, start: Sql) -> Sql:
    """The template with the model's names and the starting SELECT filled in. Only
    identifiers and this module's own fragments are written into the text; values always
    travel as query parameters."""
    return template.format(start=start[0], **_columns()), start[1]


def _columns() -> dict[str, str]:
    """The table and the columns of the id and the parent link, as the model names them."""
    parent = Organisation._meta.get_field("parent")
    assert isinstance(parent, models.ForeignKey)
    pk, link = parent.target_field.column, parent.column
    assert pk
    assert link
    return {"table": Organisation._meta.db_table, "pk": pk, "parent": link}


def _ids(organisations: Organisation | int | Iterable[Organisation | int]) -> Sql:
    """A SELECT of the given organisations' ids."""
    items = [organisations] if isinstance(organisations, Organisation | int) else organisations
    ids = tuple(o.pk if isinstance(o, Organisation) else int(o) for o in items)
    if not ids:
        return _render("SELECT {pk} FROM {table} WHERE 1 = 0", ("", ()))
    return _render(
        "SELECT {pk} FROM {table} WHERE {pk} IN ({start})", (", ".join(["%s"] * len(ids)), ids)
    )


def _ancestors_sql(start: Sql, *, include_self: bool) -> Sql:
    first = start if include_self else _render(_PARENTS, start)
    return _render(_ANCESTORS, first)


def _descendants_sql(start: Sql, *, include_self: bool) -> Sql:
    first = "{pk}" if include_self else "{parent}"
    return _render(_DESCENDANTS.replace("{first}", first), start)


def _tops_sql(start: Sql) -> Sql:
    return _render(_TOPS, start)


def _same_tree_sql(start: Sql) -> Sql:
    """Ids of every organisation under the tops of the starting ones, tops included."""
    return _descendants_sql(_render(_TOP_IDS, _tops_sql(start)), include_self=True)


def _in(sql: Sql) -> RawSQL:
    """The ids a SELECT of this module returns, as the right side of ``__in``."""
    return RawSQL(*sql)  # noqa: S611 -- built by _render: parameters hold every value


def ancestors(
    organisation: Organisation | int, *, include_self: bool = False
) -> QuerySet[Organisation]:
    """Every organisation above this one up to the top of its tree, in one query
    (ordered by code, like every organisation list)."""
    return Organisation.objects.filter(
        pk__in=_in(_ancestors_sql(_ids(organisation), include_self=include_self))
    )


def descendants(
    organisations: Organisation | int | Iterable[Organisation | int], *, include_self: bool = False
) -> QuerySet[Organisation]:
    """Every organisation below the given ones, at any depth, in one query."""
    return Organisation.objects.filter(
        pk__in=_in(_descendants_sql(_ids(organisations), include_self=include_self))
    )


def same_tree_as(
    organisations: Organisation | int | Iterable[Organisation | int],
) -> QuerySet[Organisation]:
    """Every organisation that shares a top with one of the given ones (the whole
    province of each), in one query."""
    return Organisation.objects.filter(pk__in=_in(_same_tree_sql(_ids(organisations))))


def tops_of(
    organisations: Iterable[Organisation | int], *, using: str = DEFAULT_DB_ALIAS
) -> dict[int, int]:
    """The id of the top of each given organisation's tree, keyed by its id, in one
    query. An organisation caught in a loop of parents is its own top."""
    start = _ids(organisations)
    result = {pk: pk for pk in start[1]}
    sql, params = _tops_sql(start)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        result.update((int(pk), int(top)) for pk, top in cursor.fetchall())
    return result


def top_of(organisation: Organisation | int, *, using: str = DEFAULT_DB_ALIAS) -> Organisation:
    """The organisation at the top of this one's tree (its province committee)."""
    top = (
        Organisation.objects.using(using)
        .filter(pk__in=_in(_render(_TOP_IDS, _tops_sql(_ids(organisation)))))
        .first()
    )
    if top is not None:
        return top
    if isinstance(organisation, Organisation):
        return organisation
    return Organisation.objects.using(using).get(pk=organisation)


def subtree_members(
    organisation: Organisation | int, *, role: str, include_self: bool = True
) -> QuerySet[Membership]:
    """Memberships with the role in the organisation or anywhere below it, in one query."""
    return Membership.objects.filter(
        role=role,
        organisation_id__in=_in(_descendants_sql(_ids(organisation), include_self=include_self)),
    )


def province_members(organisation: Organisation | int, *, role: str) -> QuerySet[Membership]:
    """Memberships with the role anywhere in the tree this organisation belongs to
    (its province, from the top committee down), in one query."""
    return Membership.objects.filter(
        role=role, organisation_id__in=_in(_same_tree_sql(_ids(organisation)))
    )
