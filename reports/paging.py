"""One page of a long list, counted and sliced in the database, and the links of its pager.

The dashboard, the cycle page and the sub-plan list page their tables the same way, so a
list of 50,000 organisations costs one count and one slice, never 50,000 objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet

PAGE_SIZE = 100  # rows of a table per page
PAGE_PARAMETER = "trang"


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages ``total`` rows fill; an empty list still has its one page."""
    return max(1, -(-total // size))


def page_numbers(page: int, pages: int) -> list[int]:
    """The pages a pager offers: the first, the last and the pages near the current one."""
    near = range(max(1, page - 2), min(pages, page + 2) + 1)
    return sorted({1, pages, *near})


def requested_page(value: str | None) -> int:
    """The page a query parameter asks for; anything but a number is the first page (an
    out-of-range number is clamped by ``paginate``)."""
    try:
        return int(value or 1)
    except ValueError:
        return 1


@dataclass(frozen=True)
class Pager:
    """Where a page sits in its list, and the links to the other pages. ``keep`` holds
    the other query parameters (the filters) every link carries."""

    page: int = 1
    pages: int = 1
    total: int = 0
    parameter: str = PAGE_PARAMETER
    keep: tuple[tuple[str, str], ...] = ()
    anchor: str = ""

    @property
    def numbers(self) -> list[int]:
        return page_numbers(self.page, self.pages)

    def url(self, number: int) -> str:
        query = urlencode([*self.keep, (self.parameter, str(number))])
        return f"?{query}#{self.anchor}" if self.anchor else f"?{query}"

    @property
    def links(self) -> list[tuple[int, str]]:
        """(page number, link) for each page the pager offers."""
        return [(number, self.url(number)) for number in self.numbers]


def paginate(
    rows: QuerySet,
    page: int,
    *,
    size: int = PAGE_SIZE,
    parameter: str = PAGE_PARAMETER,
    keep: tuple[tuple[str, str], ...] = (),
    anchor: str = "",
) -> tuple[QuerySet, Pager]:
    """One page of an ordered queryset and its pager: two queries (the count, then the
    slice when read), whatever the length of the list. A page before the first or past
    the last is clamped."""
    total = rows.count()
    pages = page_count(total, size)
    page = min(max(1, page), pages)
    pager = Pager(
        page=page, pages=pages, total=total, parameter=parameter, keep=keep, anchor=anchor
    )
    return rows[(page - 1) * size : page * size], pager
