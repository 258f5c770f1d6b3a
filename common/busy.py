"""A write that could not get the database in time answers 503 "busy, nothing was changed".

SQLite serializes writers: a write transaction waits up to ``OPTIONS["timeout"]`` seconds for the
lock (``transaction_mode = IMMEDIATE`` makes every transaction wait at BEGIN instead of failing
on its first write). If the wait runs out, ``OperationalError: database is locked`` reaches the
view. PostgreSQL's equivalents are a lock timeout, a deadlock and a serialization failure. In every
case the service's transaction rolled back as a whole, so the honest answer is: nothing was
changed, try again. The same holds for a statement cancelled for running too long
(``common.statement_timeout``): "this took too long, nothing was changed". Any other database
error stays a 500.
"""

import logging

from django.db import OperationalError
from django.shortcuts import render

from . import statement_timeout

logger = logging.getLogger(__name__)

SQLITE_BUSY = ("database is locked", "database table is locked")
# lock_not_available, deadlock_detected, serialization_failure
POSTGRES_BUSY = {"55P03", "40P01", "40001"}
POSTGRES_CANCELLED = "57014"  # query_canceled: statement_timeout
SQLITE_INTERRUPTED = "interrupted"  # the progress handler of common.statement_timeout


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in POSTGRES_BUSY:
        return True
    return any(text in str(exc) for text in SQLITE_BUSY)


def is_too_long(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) == POSTGRES_CANCELLED:
        return True
    return str(exc) == SQLITE_INTERRUPTED


class DatabaseBusyMiddleware:
    """Turns a busy database, or a statement cancelled for running too long, into a 503 page (or,
    for htmx, a dialog in ``#modal``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception):
            logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
            return self._answer(request, "busy", retry_after="5")
        if is_too_long(exception):
            logger.error("Statement timeout on %s %s: %s", request.method, request.path, exception)
            return self._answer(request, "too_long", retry_after="60")
        return None

    def _answer(self, request, reason: str, *, retry_after: str):
        htmx = getattr(request, "htmx", None)
        template = "busy.html#dialog" if htmx else "busy.html"
        ctx = {
            "retry_url": request.get_full_path(),
            "reason": reason,
            "statement_timeout_seconds": f"{statement_timeout.current():g} seconds",
        }
        response = render(request, template, ctx, status=503)
        response["Retry-After"] = retry_after
        if htmx:
            # htmx swaps no 5xx by default; portal.js lets this one through into the modal slot.
            response["HX-Retarget"] = "#modal"
            response["HX-Reswap"] = "innerHTML"
            # The list under the dialog did not change: its address must not say it did (a
            # filter form pushes its query to the address bar, and compares with it).
            response["HX-Push-Url"] = "false"
        return response
