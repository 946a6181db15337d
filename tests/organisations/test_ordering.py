"""The one order organisations are listed in (organisations.ordering)."""

import importlib

import pytest
from django.db import connection
from django.urls import reverse

from organisations.models import Organisation, OrganisationKind
from organisations.ordering import KIND_ORDER, name_key, sort_key, usual_order
from organisations.selectors import organisation_tree
from tests.conftest import needs


def test_names_follow_the_vietnamese_alphabet():
    names = ["Đông", "Dương", "Ân", "Ăn", "An", "Bình", "Ơn", "Ôn", "On", "Uyên", "Ưng"]
    assert sorted(names, key=name_key) == [
        "An",
        "Ăn",
        "Ân",
        "Bình",
        "Dương",
        "Đông",
        "On",
        "Ôn",
        "Ơn",
        "Uyên",
        "Ưng",
    ]


def test_tones_only_break_ties_between_the_same_letters():
    # "Cà" and "Cá" share their letters: the tone decides; "Cá" still comes before "Cb".
    assert sorted(["Cb", "Cá", "Cà", "Ca"], key=name_key) == ["Ca", "Cà", "Cá", "Cb"]


@pytest.mark.django_db
def test_database_order_matches_the_python_order(organisations):
    in_sql = list(Organisation.objects.order_by(*usual_order()).values_list("code", flat=True))
    in_python = [o.code for o in sorted(Organisation.objects.all(), key=sort_key)]
    assert in_sql == in_python


@pytest.mark.django_db
def test_kinds_come_in_their_usual_order_then_names(organisations):
    codes = list(
        Organisation.objects.filter(parent__code="TV-TU")
        .order_by(*usual_order())
        .values_list("code", "kind")
    )
    kinds = [kind for _, kind in codes]
    districts = [c for c, k in codes if k == OrganisationKind.DISTRICT_COMMITTEE]
    # Huyện ủy before the thành ủy and thị ủy, by name: Càng Long, Cầu Kè, Cầu Ngang, Châu Thành.
    assert districts[:4] == ["TV-HCL", "TV-HCK", "TV-HCN", "TV-HCT"]
    assert kinds.index(OrganisationKind.AFFILIATED_COMMITTEE) > max(
        i for i, k in enumerate(kinds) if k == OrganisationKind.DISTRICT_COMMITTEE
    )
    # A mass organisation never sits between the district committees.
    assert kinds.index(OrganisationKind.MASS_ORGANISATION) > kinds.index(
        OrganisationKind.AFFILIATED_COMMITTEE
    )


@pytest.mark.django_db
def test_tree_nests_children_under_their_parent_in_the_usual_order(reviewer):
    roots = organisation_tree(reviewer)
    province = next(node for node in roots if node.organisation.code == "TV-TU")
    children = [node.organisation for node in province.children]
    assert children == sorted(children, key=sort_key)
    district = next(node for node in province.children if node.organisation.code == "TV-HCL")
    assert {node.organisation.parent_id for node in district.children} == {district.organisation.pk}
    assert province.size >= len(province.children) + len(district.children)


@pytest.mark.django_db
def test_tree_page_folds_each_committee_in_details(client_for, reviewer):
    html = client_for(reviewer).get(reverse("organisations:list")).content.decode()
    # The province's children are open; a district's grassroots are folded.
    assert '<li class="org-tree-item" data-org="TV-TU">\n  \n  <details open>' in html
    assert '<li class="org-tree-item" data-org="TV-HCL">\n  \n  <details>' in html
    assert html.index('data-org="TV-HCL"') < html.index('data-org="TV-HCL-XANTRUONG"')
    assert html.index('data-org="TV-HCL-XANTRUONG"') < html.index('data-org="TV-HCK"')


# The index on the usual order (PostgreSQL) ------------------------------------------------

ORDER_INDEX = importlib.import_module(
    "organisations.migrations.0004_organisation_usual_order_index"
)


def test_the_order_index_knows_every_kind_in_its_place():
    # The index serves the order only while its expression is the order's own: a kind
    # added or moved needs a migration that rebuilds it.
    assert [str(kind) for kind in KIND_ORDER] == ORDER_INDEX.KIND_ORDER


def explain(sql: str, params=()) -> str:
    """PostgreSQL's plan with sorting and whole-table scans priced out: an index that fits
    the query shows up in it."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_postgresql_walks_the_index_in_the_usual_order(organisations):
    needs(connection.vendor == "postgresql", "chỉ mục này chỉ có trên PostgreSQL")
    sql, params = (
        Organisation.objects.order_by(*usual_order()).values("pk")[:5].query.sql_with_params()
    )
    plan = explain(sql, params)
    assert f"Index Scan using {ORDER_INDEX.NAME}" in plan
    assert "Sort" not in plan
