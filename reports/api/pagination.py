"""Paging of the API's lists: `limit` and `offset`, as the clients already send them, and
for the cycle's status list a `cursor` as well.

The lists carry `count`, `next` and `previous`, which clients rely on. A page holds at
most `MAX_LIMIT` rows; a larger `limit` is served as `MAX_LIMIT` (DRF's own meaning of
`max_limit`). What is not a whole number in range is refused with 400 and says why,
rather than reaching the database as a number PostgreSQL cannot hold (a 500).

The status list (`KeysetPagination`) pages by cursor unless `offset` is given: its first
page, and every page reached through `next` and `previous`, begin where the page seen
ended (reports.keyset), so the last page costs what the first does, where `OFFSET 49800`
made the database read the 49,800 rows before it. A client that follows `next` needs no
change; one that counts offsets itself still gets exactly what it got before. `count` is
kept on every page, as clients expect it (one count over the list, the same on every
page). A cursor is opaque and signed: one edited, cut short or from another list is a
400 that says so, never a page of something else.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from reports.keyset import BadCursor, KeysetPage, keyset_page

MAX_LIMIT = 500
LARGEST = 2**63 - 1  # PostgreSQL's bigint, which LIMIT and OFFSET take


def _whole_number(request: Request, name: str, *, smallest: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    # Digits only: int() would also take "1_000", " 7" and Unicode digits.
    if not (raw.isascii() and raw.isdigit()) or not smallest <= int(raw) <= LARGEST:
        message = _("“%(name)s” phải là số nguyên từ %(smallest)s trở lên.") % {
            "name": name,
            "smallest": smallest,
        }
        raise ValidationError({name: [message]})
    return int(raw)


class CappedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int | None:
        limit = _whole_number(request, self.limit_query_param, smallest=1)
        if limit is None:
            return self.default_limit
        return min(limit, MAX_LIMIT)

    def get_offset(self, request: Request) -> int:
        return _whole_number(request, self.offset_query_param, smallest=0) or 0


class KeysetPagination(CappedLimitOffsetPagination):
    """`cursor` paging of an ordered queryset (ascending terms; the primary key breaks
    ties), with `offset` paging kept for the clients that send it."""

    cursor_query_param = "cursor"
    offset_meaning = gettext_lazy(
        "Bỏ qua bấy nhiêu dòng (cách cũ, vẫn dùng được); không có `offset` thì các trang đi "
        "theo `cursor`. / Rows to skip (the older way, still served); without `offset`, "
        "pages follow by `cursor`."
    )
    cursor_meaning = gettext_lazy(
        "Vị trí trang, lấy từ đường dẫn `next` hoặc `previous` của trang trước; không dùng "
        "cùng `offset`. / Where the page begins, taken from the `next` or `previous` link "
        "of a page; not together with `offset`."
    )
    salt = "reports.api.status.v1"  # change it when the list's order changes
    keyset: KeysetPage | None = None

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None):  # type: ignore[override]
        cursor = request.query_params.get(self.cursor_query_param)
        if self.offset_query_param in request.query_params:
            if cursor is not None:
                message = _("Dùng “cursor” hoặc “offset”, không dùng cả hai.")
                raise ValidationError({self.cursor_query_param: [message]})
            self.keyset = None
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        assert self.limit is not None  # the default limit is PAGE_SIZE
        try:
            self.keyset = keyset_page(queryset, cursor or "", size=self.limit, salt=self.salt)
        except BadCursor:
            message = _(
                "“cursor” không hợp lệ: hãy dùng nguyên đường dẫn `next` hoặc `previous` của "
                "một trang, hoặc bỏ “cursor” để lấy trang đầu."
            )
            raise ValidationError({self.cursor_query_param: [message]}) from None
        self.count = self.get_count(queryset)
        return self.keyset.rows

    def get_next_link(self) -> str | None:
        if self.keyset is None:
            return super().get_next_link()
        if not self.keyset.has_next:
            return None
        assert self.request is not None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.keyset.next)

    def get_previous_link(self) -> str | None:
        if self.keyset is None:
            return super().get_previous_link()
        if not self.keyset.has_previous:
            return None
        assert self.request is not None
        url = self.request.build_absolute_uri()
        if not self.keyset.previous:  # the first page has no cursor
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, self.keyset.previous)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.offset_query_param:
                parameter["description"] = str(self.offset_meaning)
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": str(self.cursor_meaning),
            "schema": {"type": "string"},
        }
        return [*parameters, cursor]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        answer = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            answer["properties"][link]["example"] = (
                f"https://example.org/api/v1/cycles/7/status/?{self.cursor_query_param}=…"
            )
        return answer
