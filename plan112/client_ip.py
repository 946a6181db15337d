"""The address of the person at the other end, as the sign-in lockout and the API
throttle see it.

Behind reverse proxies every request comes from the last proxy, so the socket address
would put every client in one bucket: five wrong passwords from anyone would lock
everybody out. Each proxy appends the address it received the request from to
`X-Forwarded-For`, so with `AXES_PROXY_COUNT` proxies the client is the entry that many
places from the right; entries further left were written by the client and are not
trusted. This is Django REST framework's rule for `NUM_PROXIES`, so both agree.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    proxies: int = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR")
