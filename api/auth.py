"""Who is calling: ``Authorization: Bearer <key>``, or HTTP Basic with the key as the password
(any user name: the credential type Power BI's scheduled refresh can store) → the key's
membership in this workspace. A key is never read from the URL, where logs and proxies keep it.

Every request re-checks the key (not revoked), its user (active), the membership (active) and
the role (administrator), so revoking a key, deactivating the member or changing their role
takes effect on the next request. The workspace of the URL is read in the same statement (the
tenant middleware leaves API requests to this module), so a request costs one statement before
its own work. The rate limit is counted in Django's cache (Redis in production) per key and per
minute, before any database query.
"""

import base64
import binascii
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import Col
from django.utils import timezone
from django_scopes import scopes_disabled

from common.throttle import hit
from tenancy.models import Membership, Role, Tenant, User

from .errors import ODataError, not_found, unauthorized
from .keys import hash_key
from .models import ApiKey

LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    api_key: ApiKey
    membership: Membership


def bearer_key(request) -> str | None:
    """The key of a Bearer or Basic Authorization header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _user, sep, password = decoded.partition(":")
        return password if sep and password else None
    if scheme.lower() != "bearer" or not value:
        return None
    return value


def rate_limit() -> int:
    return int(getattr(settings, "ODATA_RATE_LIMIT_PER_MINUTE", 600))


def check_rate(key_hash: str) -> None:
    now = time.time()
    window = int(now // 60)
    name = f"odata:rate:{key_hash[:32]}:{window}"
    cache.add(name, 0, timeout=120)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=120)
        count = 1
    if count > rate_limit():
        retry = max(1, int((window + 1) * 60 - now) + 1)
        raise ODataError(
            429,
            "TooManyRequests",
            f"This API key sent more than {rate_limit()} requests in a minute. Retry after {retry} s.",
            headers={"Retry-After": str(retry)},
        )


def refused(request, message: str) -> ODataError:
    """A 401, or a 429 once this client address sent ODATA_UNAUTHORIZED_RATE requests without a
    valid key (a valid key is never held back by others' failures from the same address)."""
    usage = hit(request, group="odata:unauthorized", key="ip", rate=settings.ODATA_UNAUTHORIZED_RATE)
    if usage.limited:
        return ODataError(
            429,
            "TooManyRequests",
            f"Too many requests without a valid API key from this address. Retry after {usage.retry_after} s.",
            headers={"Retry-After": str(usage.retry_after)},
        )
    return unauthorized(message)


def _tenant_fields() -> list:
    return list(Tenant._meta.concrete_fields)


@memoize
def _caller_sql() -> str:
    """The key, its user's active flag, the workspace of the URL if it is the key's, and the
    user's active membership and role there, in one hand-written statement: this runs before
    every page of a feed, and the ORM's work to build four queries cost more than the page's own
    query. Only table and column names are formatted in; every value is a parameter."""
    key, user, member, role, tenant = (m._meta.db_table for m in (ApiKey, User, Membership, Role, Tenant))
    quote = connection.ops.quote_name
    tenant_columns = ", ".join(f"t.{quote(f.column)}" for f in _tenant_fields())
    return (
        f"SELECT k.id, k.tenant_id, k.user_id, k.revoked_at IS NOT NULL, "  # noqa: S608
        f"k.last_used_at IS NULL OR k.last_used_at < %s, u.is_active, m.id, m.role_id, m.is_active, r.capabilities, "
        f"{tenant_columns} "
        f"FROM {key} k INNER JOIN {user} u ON u.id = k.user_id "
        f"LEFT OUTER JOIN {tenant} t ON t.id = k.tenant_id AND t.slug = %s "
        f"LEFT OUTER JOIN {member} m ON m.tenant_id = t.id AND m.user_id = k.user_id AND m.is_active "
        f"LEFT OUTER JOIN {role} r ON r.id = m.role_id "
        f"WHERE k.key_hash = %s"
    )


def _tenant(values) -> Tenant | None:
    """The workspace from its columns of the statement above, converted as the ORM converts them
    (on SQLite a timestamp comes back as text), or None when the URL's is not the key's."""
    if values[0] is None:
        return None
    fields, converted = _tenant_fields(), []
    for field, value in zip(fields, values, strict=True):
        column = Col(Tenant._meta.db_table, field)
        for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    return Tenant.from_db(connection.alias, [f.attname for f in fields], converted)


def authenticate(request, tenant_slug: str) -> Caller:
    """The caller of this request to the workspace ``tenant_slug``: 401 (or 429) without a valid
    key, 404 when the key is not of that workspace (or there is none of that name)."""
    key = bearer_key(request)
    if key is None:
        raise refused(
            request, "Send an API key: Authorization: Bearer <key>, or HTTP Basic with the key as the password."
        )
    digest = hash_key(key)
    check_rate(digest)
    now = timezone.now()
    stale = connection.ops.adapt_datetimefield_value(now - LAST_USED_RESOLUTION)
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute(_caller_sql(), [stale, tenant_slug, digest])
        row = cursor.fetchone()
    if row is None:
        raise refused(request, "Unknown API key.")
    key_id, tenant_id, user_id, revoked, unused_for_a_minute, user_active, member_id, role_id, active, caps = row[:10]
    tenant = _tenant(row[10:])
    if tenant is None:
        # A key of another workspace (or of none by that name) learns nothing about this one.
        raise not_found("No such workspace.")
    if revoked:
        raise refused(request, "This API key has been revoked.")
    if member_id is None or not user_active:
        raise refused(request, "The user of this API key is no longer an active member of this workspace.")
    role = Role.from_db(connection.alias, ["id", "capabilities"], [role_id, _capabilities(caps)])
    membership = Membership.from_db(
        connection.alias,
        ["id", "tenant_id", "user_id", "role_id", "is_active"],
        [member_id, tenant.pk, user_id, role_id, bool(active)],
    )
    membership.role = role
    if not membership.is_administrator:
        raise refused(request, "The user of this API key is no longer an administrator of this workspace.")
    if unused_for_a_minute:
        _touch(key_id, now)
    api_key = ApiKey.from_db(connection.alias, ["id", "tenant_id", "user_id"], [key_id, tenant_id, user_id])
    membership.user = api_key.user = User.from_db(connection.alias, ["id", "is_active"], [user_id, bool(user_active)])
    membership.tenant = api_key.tenant = tenant
    return Caller(api_key=api_key, membership=membership)


def _capabilities(value) -> list:
    # JSON text (SQLite, and Django's jsonb loader on PostgreSQL) or already a list.
    return json.loads(value) if isinstance(value, (str, bytes)) else (value or [])


def _touch(key_id: int, now) -> None:
    """Record use, at most once a minute per key: the statement above says whether a minute has
    passed, so most requests (a feed read page by page) send no UPDATE; the UPDATE keeps the
    condition for concurrent requests."""
    with scopes_disabled():
        ApiKey.objects.filter(pk=key_id).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
