"""The organisation tree read in SQL, on the configured database and on SQLite.

The recursive SQL must run on both engines the project supports, so every test here
runs twice: once on the test database (PostgreSQL under CI) and once on a throwaway
in-memory SQLite database built from the same models.
"""

import datetime as dt

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from organisations.models import Membership, Organisation, Role, User
from organisations.tree import (
    ancestors,
    descendants,
    province_members,
    same_tree_as,
    subtree_members,
    top_of,
    tops_of,
)

pytestmark = pytest.mark.django_db

SQLITE = "organisation_tree_sqlite"


@pytest.fixture(params=["default", "sqlite"])
def using(request):
    """The alias of the database a test runs on."""
    if request.param == "default":
        yield "default"
        return
    # The handler needs a default entry; only the SQLite one is ever opened.
    handler = ConnectionHandler(
        {
            "default": {"ENGINE": "django.db.backends.dummy"},
            SQLITE: {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        }
    )
    connection = handler[SQLITE]
    connections[SQLITE] = connection
    try:
        with connection.schema_editor() as editor:
            for model in (User, Organisation, Membership):
                editor.create_model(model)
        yield SQLITE
    finally:
        del connections[SQLITE]
        connection.close()


def make_tree(using: str) -> dict[str, Organisation]:
    """Two provinces; one district of the first was closed and merged into another, and
    reaches down two levels."""
    made: dict[str, Organisation] = {}

    def add(code: str, parent: str | None = None, **extra) -> None:
        made[code] = Organisation.objects.using(using).create(
            code=code,
            name=code,
            kind="district_committee",
            parent=made[parent] if parent else None,
            **extra,
        )

    add("P1")
    add("P1-A", "P1")
    add("P1-B", "P1")
    add("P1-A-1", "P1-A")
    add("P1-A-1-x", "P1-A-1")
    add("P1-OLD", "P1", valid_to=dt.date(2025, 6, 30), successor=made["P1-B"])
    add("P1-OLD-1", "P1-OLD", valid_to=dt.date(2025, 6, 30))
    add("P2")
    add("P2-A", "P2")
    return made


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_ancestors_climb_to_the_top(using):
    tree = make_tree(using)
    assert codes(ancestors(tree["P1-A-1-x"]).using(using)) == {"P1-A-1", "P1-A", "P1"}
    assert codes(ancestors(tree["P1-A-1-x"], include_self=True).using(using)) == {
        "P1-A-1-x",
        "P1-A-1",
        "P1-A",
        "P1",
    }
    assert codes(ancestors(tree["P1"]).using(using)) == set()


def test_ancestors_of_a_closed_organisation_are_its_old_parents(using):
    tree = make_tree(using)
    assert codes(ancestors(tree["P1-OLD-1"].pk).using(using)) == {"P1-OLD", "P1"}


def test_descendants_reach_every_depth_and_closed_organisations(using):
    tree = make_tree(using)
    assert codes(descendants(tree["P1"]).using(using)) == {
        "P1-A",
        "P1-B",
        "P1-A-1",
        "P1-A-1-x",
        "P1-OLD",
        "P1-OLD-1",
    }
    assert codes(descendants(tree["P1-A"], include_self=True).using(using)) == {
        "P1-A",
        "P1-A-1",
        "P1-A-1-x",
    }
    assert codes(descendants([tree["P1-OLD"], tree["P2"]]).using(using)) == {"P1-OLD-1", "P2-A"}
    assert codes(descendants(tree["P1-A-1-x"]).using(using)) == set()
    assert codes(descendants([]).using(using)) == set()


def test_top_of_one_organisation_is_its_province(using):
    tree = make_tree(using)
    assert top_of(tree["P1-A-1-x"], using=using) == tree["P1"]
    assert top_of(tree["P1-OLD-1"].pk, using=using) == tree["P1"]
    assert top_of(tree["P2"], using=using) == tree["P2"]


def test_tops_of_many_organisations_in_one_query(using, django_assert_num_queries):
    tree = make_tree(using)
    asked = [tree[code].pk for code in ("P1-A-1-x", "P1-OLD-1", "P1", "P2-A", "P2")]
    if using == "default":
        with django_assert_num_queries(1):
            tops = tops_of(asked, using=using)
    else:
        tops = tops_of(asked, using=using)
    p1, p2 = tree["P1"].pk, tree["P2"].pk
    assert tops == dict(zip(asked, [p1, p1, p1, p2, p2], strict=True))
    assert tops_of([], using=using) == {}


def test_same_tree_is_the_whole_province_of_each_organisation(using):
    tree = make_tree(using)
    assert codes(same_tree_as(tree["P1-OLD-1"]).using(using)) == {
        "P1",
        "P1-A",
        "P1-B",
        "P1-A-1",
        "P1-A-1-x",
        "P1-OLD",
        "P1-OLD-1",
    }
    assert codes(same_tree_as([tree["P2-A"]]).using(using)) == {"P2", "P2-A"}


def test_members_of_a_subtree_or_province_with_a_role(using):
    tree = make_tree(using)
    users = {
        name: User.objects.using(using).create(username=name)
        for name in ("deep", "old", "other-role", "elsewhere", "top")
    }
    for name, code, role in [
        ("deep", "P1-A-1-x", Role.REVIEWER),
        ("old", "P1-OLD-1", Role.REVIEWER),
        ("other-role", "P1-A-1", Role.LEADER),
        ("elsewhere", "P2-A", Role.REVIEWER),
        ("top", "P1", Role.REVIEWER),
    ]:
        Membership.objects.using(using).create(user=users[name], organisation=tree[code], role=role)

    def names(queryset) -> set[str]:
        return set(queryset.using(using).values_list("user__username", flat=True))

    assert names(subtree_members(tree["P1-A"], role=Role.REVIEWER)) == {"deep"}
    assert names(subtree_members(tree["P1"], role=Role.REVIEWER)) == {"deep", "old", "top"}
    assert names(subtree_members(tree["P1"], role=Role.REVIEWER, include_self=False)) == {
        "deep",
        "old",
    }
    assert names(province_members(tree["P1-A-1"], role=Role.REVIEWER)) == {"deep", "old", "top"}
    assert names(province_members(tree["P1-A-1"], role=Role.LEADER)) == {"other-role"}
    assert names(province_members(tree["P2"].pk, role=Role.REVIEWER)) == {"elsewhere"}


def test_a_loop_of_parents_ends_the_walk(using):
    """The database forbids only being one's own parent; a longer loop must not hang."""
    tree = make_tree(using)
    Organisation.objects.using(using).filter(pk=tree["P2"].pk).update(parent=tree["P2-A"])
    assert codes(ancestors(tree["P2-A"]).using(using)) == {"P2", "P2-A"}
    assert codes(descendants(tree["P2"]).using(using)) == {"P2", "P2-A"}
    assert tops_of([tree["P2-A"].pk], using=using) == {tree["P2-A"].pk: tree["P2-A"].pk}
    assert top_of(tree["P2-A"], using=using) == tree["P2-A"]
