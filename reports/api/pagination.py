"""Paging of the API's lists: `limit` and `offset`, as the clients already send them.

The lists carry `count`, `next` and `previous`, which clients rely on, so keyset
(cursor) paging, which has no count, does not fit. A page holds at most `MAX_LIMIT`
rows; a larger `limit` is served as `MAX_LIMIT` (DRF's own meaning of `max_limit`).
What is not a whole number in range is refused with 400 and says why, rather than
reaching the database as a number PostgreSQL cannot hold (a 500).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

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
