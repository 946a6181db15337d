"""Paging of long tables. Django's Paginator does the work: one count and one slice in
the database whatever the length of the list, a page past the end turned into the last
one, and the elided range of page links. ``Pager`` only adds links that keep the page's
other query parameters (its filters) and an anchor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PAGE_SIZE = 100  # rows of a table per page
PAGE_PARAMETER = "trang"


@dataclass(frozen=True)
class Pager:
    """Where a page sits in its list, and the links to the other pages."""

    page: Page
    parameter: str = PAGE_PARAMETER
    keep: tuple[tuple[str, str], ...] = ()
    anchor: str = ""

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def pages(self) -> int:
        return self.page.paginator.num_pages

    @property
    def total(self) -> int:
        return self.page.paginator.count

    def url(self, number: int) -> str:
        query = urlencode([*self.keep, (self.parameter, str(number))])
        return f"?{query}#{self.anchor}" if self.anchor else f"?{query}"

    @property
    def links(self) -> list[tuple[int | str, str]]:
        """(page number, link) for the first, the last and the pages near this one; a gap
        between them is (…, "")."""
        numbers = self.page.paginator.get_elided_page_range(self.number, on_each_side=2, on_ends=1)
        return [(n, self.url(n) if isinstance(n, int) else "") for n in numbers]


def paginate(
    rows: QuerySet | Sequence,
    number: str | int | None,
    *,
    size: int = PAGE_SIZE,
    parameter: str = PAGE_PARAMETER,
    keep: tuple[tuple[str, str], ...] = (),
    anchor: str = "",
) -> Pager:
    """One page of an ordered queryset (or list) (``pager.page``, read lazily) and its pager. A
    page that is not a number, or below the first, is the first; one past the end is
    the last."""
    try:
        number = max(1, int(number or 1))
    except (TypeError, ValueError):
        number = 1
    page = Paginator(rows, size).get_page(number)
    return Pager(page=page, parameter=parameter, keep=keep, anchor=anchor)
