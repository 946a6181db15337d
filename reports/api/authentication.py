"""HTTP Basic for the API, behind the same lockout as the sign-in form and a rate limit.

DRF authenticates before it throttles, so a request with wrong credentials would never
reach the throttle: every attempt would cost a password hash (about a second of CPU),
and random user names would never add up to a lockout. Here each Basic attempt first
counts against the `anon` rate of the caller's address, before any hashing; then
`django.contrib.auth.authenticate` runs with the request, so django-axes refuses locked
credentials without hashing and records each failure like the sign-in form's.
"""

from typing import Any

from drf_spectacular.authentication import BasicScheme
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle


class SignInAttemptThrottle(AnonRateThrottle):
    """Basic sign-in attempts per address, whether they succeed or not."""

    scope = "anon"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": "basic", "ident": self.get_ident(request)}


class ThrottledBasicAuthentication(BasicAuthentication):
    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> Any:
        if request is not None:
            throttle = SignInAttemptThrottle()
            # No view: the attempts are keyed by address alone.
            if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                raise Throttled(wait=throttle.wait())
        return super().authenticate_credentials(userid, password, request)


class ThrottledBasicScheme(BasicScheme):
    """The OpenAPI schema describes it as plain HTTP Basic."""

    target_class = "reports.api.authentication.ThrottledBasicAuthentication"
