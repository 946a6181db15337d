"""Keyset paging (reports.keyset): pages walked forward and back list every row once, in
the list's order, across sections and across rows whose sort keys are equal; a cursor
that was not made for the list is refused; a page reads only the sections it reaches."""

import re

import pytest
from django.core import signing
from django.db import connection
from django.db.models import Q, QuerySet
from django.test.utils import CaptureQueriesContext

from organisations.models import Organisation
from organisations.ordering import usual_order
from reports.keyset import MAX_CURSOR, BadCursor, KeysetPage, Section, keyset_page
from tests.conftest import needs
from tests.organisations.test_ordering import ORDER_INDEX, explain
from tests.reports.factories import province_pk

SALT = "tests.keyset"


@pytest.fixture
def tied(organisations):
    """Cells and districts whose names repeat, so sort keys are equal but for the code
    across every page boundary of a small page."""
    province = province_pk()
    Organisation.objects.bulk_create(
        [
            *(
                Organisation(
                    code=f"K-{i:03d}", name="Chi bộ Ấp Một", kind="cell", parent_id=province
                )
                for i in range(23)
            ),
            *(
                Organisation(
                    code=f"Q-{i:03d}",
                    name=f"Huyện ủy {'Đông' if i % 2 else 'Tây'}",
                    kind="district_committee",
                    parent_id=province,
                )
                for i in range(17)
            ),
        ]
    )


def listed() -> QuerySet[Organisation]:
    return Organisation.objects.filter(code__regex=r"^[KQ]-").order_by(*usual_order())


# The districts, then the cells: two sections, each in the usual order.
SECTIONS = [
    Section(place=(0,), condition=Q(kind="district_committee")),
    Section(place=(1,), condition=Q(kind="cell")),
]


def page_of(cursor: str = "", *, size: int) -> KeysetPage:
    return keyset_page(listed(), cursor, size=size, salt=SALT, sections=SECTIONS)


def full_list() -> list[str]:
    rows = listed().order_by(*usual_order(), "pk")
    return [o.code for s in SECTIONS for o in rows.filter(s.condition)]


def codes(page: KeysetPage) -> list[str]:
    return [o.code for o in page]


def walk_forward(size: int) -> list[KeysetPage]:
    pages = [page_of(size=size)]
    while pages[-1].has_next:
        pages.append(page_of(pages[-1].next, size=size))
    return pages


@pytest.mark.parametrize("size", [1, 4, 7, 17, 40, 100])
def test_pages_list_every_row_once_in_the_lists_order(tied, size):
    pages = walk_forward(size)
    listed = [code for page in pages for code in codes(page)]
    assert listed == full_list()
    assert len(listed) == len(set(listed)) == 40
    assert [page.number for page in pages] == list(range(1, len(pages) + 1))
    assert all(len(page) == size for page in pages[:-1])
    assert not pages[-1].has_next


@pytest.mark.parametrize("size", [1, 4, 7, 17, 40])
def test_previous_pages_are_the_pages_walked_forward(tied, size):
    forward = walk_forward(size)
    back = [forward[-1]]
    while back[-1].has_previous:  # the second page's previous is the first: no cursor
        back.append(page_of(back[-1].previous, size=size))
    assert [codes(p) for p in reversed(back)] == [codes(p) for p in forward]
    assert [p.number for p in reversed(back)] == [p.number for p in forward]


def test_a_page_reads_only_the_sections_it_reaches(tied):
    pages = walk_forward(5)
    with CaptureQueriesContext(connection) as first:
        page_of(size=5)
    with CaptureQueriesContext(connection) as crossing:
        page = page_of(pages[2].next, size=5)
    assert len(first) == 1  # five of the seventeen districts: the cells are not read
    assert [o.kind for o in page] == ["district_committee"] * 2 + ["cell"] * 3
    assert len(crossing) == 2


def test_a_cursor_past_rows_gone_since_shows_the_last_page(tied):
    pages = walk_forward(10)
    Organisation.objects.filter(code__in=codes(pages[-1])).delete()
    past_the_end = page_of(pages[-2].next, size=10)
    assert codes(past_the_end) == codes(pages[-2])
    assert (past_the_end.number, past_the_end.has_next) == (pages[-2].number, False)
    back = page_of(past_the_end.previous, size=10)
    assert codes(back) == codes(pages[-3])


def test_an_empty_list_is_one_empty_page(organisations):
    page = page_of(size=10)
    assert (page.rows, page.number, page.has_next, page.has_previous) == ([], 1, False, False)


def cursor_of(*payload) -> str:
    return signing.Signer(salt=SALT).sign_object(list(payload))


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "3",
        "x" * (MAX_CURSOR + 1),
        signing.Signer(salt="another list").sign_object([0, 2, [0], ["x"]]),
        cursor_of(0, 2, [0], [0, "Huyện ủy Tây", "Q-000"]),  # a term short
        cursor_of(0, 2, [0, 1], [1, "Huyện ủy Tây", "Q-000", 1]),  # a place too long
        cursor_of(0, 0, [0], [1, "Huyện ủy Tây", "Q-000", 1]),  # no page 0
        cursor_of(2, 2, [0], [1, "Huyện ủy Tây", "Q-000", 1]),  # neither way
        cursor_of(0, 2, [0], [1, None, "Q-000", 1]),  # a key the list never makes
        cursor_of(0, 2, ["0"], [1, "Huyện ủy Tây", "Q-000", 1]),
        cursor_of(0, 2, [0]),
        cursor_of({"a": 1}),
    ],
    ids=lambda cursor: f"{len(cursor)}-{cursor[:12]}",
)
def test_a_cursor_not_made_for_the_list_is_refused(tied, cursor):
    with pytest.raises(BadCursor):
        page_of(cursor, size=5)


def test_an_edited_cursor_is_refused(tied):
    cursor = walk_forward(5)[0].next
    value, signature = cursor.rsplit(":", 1)
    edited = value.replace(value[-3], "A" if value[-3] != "A" else "B") + ":" + signature
    with pytest.raises(BadCursor):
        page_of(edited, size=5)


def test_sections_out_of_order_are_a_programming_error(tied):
    with pytest.raises(ValueError, match="in the order of their places"):
        keyset_page(listed(), size=5, salt=SALT, sections=SECTIONS[::-1])
    with pytest.raises(ValueError, match="must be ordered"):
        keyset_page(Organisation.objects.order_by(), size=5, salt=SALT)


def test_postgresql_seeks_a_cursor_in_the_orders_index(tied):
    needs(connection.vendor == "postgresql", "chỉ mục này chỉ có trên PostgreSQL")
    cells = Organisation.objects.filter(kind="cell").order_by(*usual_order())
    cursor = keyset_page(cells, size=5, salt=SALT).next
    with CaptureQueriesContext(connection) as captured:
        keyset_page(cells, cursor, size=5, salt=SALT)
    plan = explain(captured.captured_queries[-1]["sql"])
    # The cursor's bound is the index's own condition: the walk starts at the cursor.
    assert f"Index Scan using {ORDER_INDEX.NAME}" in plan
    assert re.search(r"Index Cond: \(+ROW\(CASE", plan)
