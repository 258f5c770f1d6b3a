"""The client's IP address, read correctly behind ``TRUSTED_PROXY_COUNT`` reverse proxies.

Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
client is the TRUSTED_PROXY_COUNT-th entry from the right; anything left of it was written by the
client and can be forged. With no trusted proxy (the default) X-Forwarded-For is ignored.

Not django-ipware: its proxy count (8.x) counts the addresses inside the header, not the proxies,
so one nginx in front gives no address for a plain request and the proxy's own address for a
client that sends its own X-Forwarded-For; the rule here is a few lines and says what it does.
Used by the login lockout (axes), the rate limits (django-ratelimit) and the plan acceptances.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote  # the request did not come through every proxy: its peer is the truth
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
