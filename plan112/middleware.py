"""Requests refused before any view sees them."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

NUL = "\x00"


class RefuseNulMiddleware:
    """400 for a NUL character in the path or the query string. No legitimate link holds
    one, and PostgreSQL refuses it in text, so a lookup by a code or a filter would
    otherwise end in a 500 wherever the value reaches a query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL character in the path or the query string")
        return self.get_response(request)
