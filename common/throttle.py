"""Rate limits counted in Django's cache (Redis in production), with django-ratelimit: fixed
windows, an atomic increment, and the client's address from ``common.client_ip`` (its
RATELIMIT_IP_META_KEY setting)."""

from dataclasses import dataclass

from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Usage:
    limited: bool
    retry_after: int  # seconds until the window ends


def hit(request, *, group: str, key, rate: str) -> Usage:
    """Count one attempt against ``rate`` (e.g. "5/h") for ``key`` ("ip" or a callable of
    (group, request)) and say whether it is over the limit."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None:  # rate None: no limit configured
        return Usage(limited=False, retry_after=0)
    return Usage(limited=usage["should_limit"], retry_after=max(1, int(usage["time_left"])))
