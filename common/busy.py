"""A write that could not get the database in time answers 503 "busy, nothing was changed".

SQLite serializes writers: a write transaction waits up to ``OPTIONS["timeout"]`` seconds for the
lock (``transaction_mode = IMMEDIATE`` makes every transaction wait at BEGIN instead of failing
on its first write). If the wait runs out, ``OperationalError: database is locked`` reaches the
view. PostgreSQL's equivalents are a lock timeout, a deadlock and a serialization failure. In every
case the service's transaction rolled back as a whole, so the honest answer is: nothing was
changed, try again. Any other database error stays a 500.
"""

import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

SQLITE_BUSY = ("database is locked", "database table is locked")
# lock_not_available, deadlock_detected, serialization_failure
POSTGRES_BUSY = {"55P03", "40P01", "40001"}


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in POSTGRES_BUSY:
        return True
    return any(text in str(exc) for text in SQLITE_BUSY)


class DatabaseBusyMiddleware:
    """Turns a busy database into a 503 page (or, for htmx, a dialog in ``#modal``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        htmx = getattr(request, "htmx", None)
        template = "busy.html#dialog" if htmx else "busy.html"
        response = render(request, template, {"retry_url": request.get_full_path()}, status=503)
        response["Retry-After"] = "5"
        if htmx:
            # htmx swaps no 5xx by default; portal.js lets this one through into the modal slot.
            response["HX-Retarget"] = "#modal"
            response["HX-Reswap"] = "innerHTML"
        return response
