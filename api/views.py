"""The OData v4 service at /w/<slug>/odata/: service document, $metadata, entity sets, single
entities, $count. Read-only; authenticated by API key (see auth.py), never by session."""

import json
import logging
from functools import wraps
from operator import itemgetter

from django.core.exceptions import FieldError
from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scope

from tenancy.capabilities import Capability

from . import edm
from .auth import authenticate
from .errors import ODATA_VERSION, ODataError, bad_option, not_found
from .metadata import metadata_xml
from .negotiation import Format, check_versions, max_page_size, negotiate
from .query import (
    COLLECTION_OPTIONS,
    COUNT_OPTIONS,
    ENTITY_OPTIONS,
    VALUE_OPTIONS,
    apply_filter,
    canonical_options,
    option_name,
    page_size,
    parse_options,
)
from .serialize import TYPES_NOT_IMPLIED, Links, RowWriter, collection, converter, key_literal, raw_value
from .sqljson import row_json

logger = logging.getLogger("django.request")
READ_METHODS = ("GET", "HEAD")


def odata_view(kind, *, methods=READ_METHODS):
    """Authenticate by key, refuse writes (405), old protocol versions and formats we cannot
    produce (406), and answer every error, a crash included, with the OData JSON error body.
    ``kind`` is json, xml or text, or a function of the URL's keyword arguments giving one; None
    for a view that only ever answers an error (whatever the client accepts)."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                request.api_caller = authenticate(request, kwargs["tenant_slug"])
                tenant = request.tenant = request.api_caller.membership.tenant
                # As the tenant middleware runs the site's pages: in the tenant's scope (and, on
                # PostgreSQL, under its row-level security) and in its time zone.
                with scope(tenant=tenant), timezone.override(tenant.zone):
                    if request.method not in methods:
                        allow = ", ".join(methods)
                        raise ODataError(
                            405, "MethodNotAllowed", "This API is read-only: use GET.", headers={"Allow": allow}
                        )
                    check_versions(request)
                    request.odata_options = canonical_options(request.GET)
                    if kind is None:
                        request.odata_format = Format("json")
                    else:
                        request.odata_format = negotiate(
                            request, kind(kwargs) if callable(kind) else kind, request.odata_options
                        )
                    response = view(request, *args, **kwargs)
            except ODataError as error:
                return error.response()
            except Http404 as exc:
                return not_found(str(exc) or "Not found.").response()
            except Exception:
                # Logged and signalled as Django does for any view (admins are told; the test
                # client re-raises), but answered in OData JSON like every other error here.
                logger.error("Internal Server Error: %s", request.path, exc_info=True, extra={"request": request})
                got_request_exception.send(sender=None, request=request)
                return ODataError(500, "InternalServerError", "The service could not answer this request.").response()
            response["OData-Version"] = ODATA_VERSION
            return response

        wrapped.required_capability = Capability.ADMINISTER
        return wrapped

    return decorator


def _root_url(request) -> str:
    return request.build_absolute_uri(reverse("api:service_root", kwargs={"tenant_slug": request.tenant.slug}))


def _entity_set(name: str) -> edm.EntitySet:
    entity_set = edm.get_set(name)
    if entity_set is None:
        raise not_found(f"No entity set named “{name}”.")
    return entity_set


def _context_field(request, fragment: str) -> str:
    """``"@odata.context":"…$metadata#<fragment>",`` (nothing with odata.metadata=none)."""
    if request.odata_format.metadata == "none":
        return ""
    return f'"@odata.context":{json.dumps(_root_url(request) + "$metadata#" + fragment)},'


def _writer(request, entity_set, opts) -> RowWriter:
    fmt = request.odata_format
    links = Links(_root_url(request)) if fmt.metadata == "full" else None
    return RowWriter(entity_set, opts.select, opts.expand, ieee754=fmt.ieee754, links=links)


def _response(request, body) -> HttpResponse:
    return HttpResponse(body, content_type=request.odata_format.content_type)


@odata_view("json")
def service_root(request, tenant_slug):
    payload = {}
    if request.odata_format.metadata != "none":
        payload["@odata.context"] = _root_url(request) + "$metadata"
    payload["value"] = [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in edm.entity_sets()]
    return _response(request, json.dumps(payload, ensure_ascii=False))


@odata_view("xml")
def metadata(request, tenant_slug):
    return HttpResponse(metadata_xml(), content_type="application/xml; charset=utf-8")


@odata_view(None, methods=("GET", "HEAD", "POST"))
def batch(request, tenant_slug):
    raise ODataError(501, "NotImplemented", "$batch is not implemented by this service: send each request on its own.")


@odata_view(None)
def unknown_resource(request, tenant_slug, odata_path):
    """Any other URL under the service root: an OData error, never an HTML page."""
    segments = odata_path.split("/")
    for segment in segments:
        if segment.split("(", 1)[0] in ("$crossjoin", "$all", "$entity", "$ref", "$each", "$filter", "$query"):
            raise ODataError(501, "NotImplemented", f"{segment.split('(', 1)[0]} is not implemented by this service.")
    name = segments[0].split("(", 1)[0]
    entity_set = _entity_set(name)
    raise not_found(f"{entity_set.name} has no resource at “{odata_path}”.")


def _context(entity_set, opts, suffix="") -> str:
    select = ""
    if opts.explicit_select or opts.expand:
        names = [p.name for p in opts.select] + [f"{n.name}()" for n in opts.expand]
        select = "(" + ",".join(names) + ")"
    return f"{entity_set.name}{select}{suffix}"


def _rows(queryset, paths):
    return _evaluate(lambda: list(queryset.values(*paths)))


def _evaluate(read):
    try:
        return read()
    except (DatabaseError, ValueError, TypeError, OverflowError, FieldError) as exc:
        raise bad_option("$filter", f"the expression cannot be evaluated ({exc.__class__.__name__}).") from None


def _page(request, queryset, entity_set, opts, writer, rows: slice):
    """The page's rows, a function writing one as JSON, and one giving its key. The database
    writes the JSON where it can (api/sqljson.py); else RowWriter does, from ``values()``."""
    key_source = entity_set.key_prop.source
    sql = None
    if request.odata_format.metadata != "full":
        sql = row_json(entity_set, opts.select, opts.expand, ieee754=request.odata_format.ieee754)
    if sql is None:
        return _rows(queryset[rows], writer.value_paths), writer.write, itemgetter(key_source)
    page = queryset.annotate(odata_row_json=sql).values_list(key_source, "odata_row_json")[rows]
    return _evaluate(lambda: list(page)), itemgetter(1), itemgetter(0)


@odata_view("json")
def entity_collection(request, tenant_slug, entity_set):
    entity_set = _entity_set(entity_set)
    opts = parse_options(entity_set, request.odata_options, allowed=COLLECTION_OPTIONS)
    writer = _writer(request, entity_set, opts)
    queryset = apply_filter(entity_set.queryset(request.tenant), opts)
    total = _count(queryset) if opts.count else None
    key_source = entity_set.key_prop.source
    start = opts.skip
    if opts.skiptoken is not None:
        queryset = queryset.filter(**{f"{key_source}__gt": opts.skiptoken})
        start = 0
    size, preferred = page_size(), max_page_size(request)
    applied = preferred is not None and preferred < size  # a larger preference changes nothing
    if applied:
        size = preferred
    limit = size if opts.top is None else min(opts.top, size)
    page = slice(start, start + limit + 1)
    rows, write, key_of = _page(request, queryset.order_by(*opts.order), entity_set, opts, writer, page)
    more = len(rows) > limit and (opts.top is None or opts.top > limit)
    rows = rows[:limit]

    head = _context_field(request, _context(entity_set, opts))
    if total is not None:
        head += f'"@odata.count":{json.dumps(str(total)) if request.odata_format.ieee754 else total},'
    tail = ""
    if more:
        tail = f',"@odata.nextLink":{json.dumps(_next_link(request, opts, start, limit, key_of(rows[-1])))}'
    content_type = request.odata_format.content_type
    response = StreamingHttpResponse(collection(head, rows, write, tail), content_type=content_type)
    if applied:
        response["Preference-Applied"] = f"odata.maxpagesize={preferred}"
    return response


def _count(queryset) -> int:
    try:
        return queryset.count()
    except (DatabaseError, ValueError, TypeError, OverflowError, FieldError) as exc:
        raise bad_option("$filter", f"the expression cannot be evaluated ({exc.__class__.__name__}).") from None


def _next_link(request, opts, start: int, limit: int, last_key) -> str:
    params = request.GET.copy()
    for name in list(params):  # however the client spelled them (top, $TOP, …)
        if option_name(name) in ("$skip", "$top", "$skiptoken"):
            del params[name]
    if not opts.keyset:
        params["$skip"] = str(start + limit)
    else:
        # Default order is by key: continue after the last key (no OFFSET scan on deep pages).
        params["$skiptoken"] = str(last_key)
    if opts.top is not None:
        params["$top"] = str(opts.top - limit)
    return request.build_absolute_uri(request.path) + "?" + params.urlencode(safe="$,'()/:")


@odata_view("text")
def entity_count(request, tenant_slug, entity_set):
    entity_set = _entity_set(entity_set)
    opts = parse_options(entity_set, request.odata_options, allowed=COUNT_OPTIONS)
    total = _count(apply_filter(entity_set.queryset(request.tenant), opts))
    return HttpResponse(str(total), content_type="text/plain; charset=utf-8")


def _key_value(entity_set, raw: str) -> int:
    raw = raw.strip()
    name, sep, value = raw.partition("=")
    if sep:
        if name.strip() != entity_set.key:
            raise bad_option("key", f"{entity_set.name} is keyed by {entity_set.key}.")
        raw = value.strip()
    if entity_set.key_prop.edm == edm.STRING:
        if len(raw) < 2 or raw[0] != "'" or raw[-1] != "'":
            raise bad_option("key", f"“{raw}” is not a string key.")
        return raw[1:-1].replace("''", "'")
    try:
        return int(raw)
    except ValueError:
        raise bad_option("key", f"“{raw}” is not a valid key of {entity_set.name}.") from None


def _one(request, entity_set, key, paths) -> dict:
    rows = _rows(entity_set.queryset(request.tenant).filter(**{entity_set.key_prop.source: key})[:1], paths)
    if not rows:
        raise not_found(f"No {entity_set.type_name} with key {key} in {entity_set.name}.")
    return rows[0]


def _entity_response(request, entity_set, key) -> HttpResponse:
    opts = parse_options(entity_set, request.odata_options, allowed=ENTITY_OPTIONS)
    writer = _writer(request, entity_set, opts)
    row = _one(request, entity_set, key, writer.value_paths)
    return _response(request, writer.write(row, prefix=_context_field(request, _context(entity_set, opts, "/$entity"))))


@odata_view("json")
def entity(request, tenant_slug, entity_set, entity_key):
    entity_set = _entity_set(entity_set)
    return _entity_response(request, entity_set, _key_value(entity_set, entity_key))


def _path_kind(kwargs) -> str:
    return "text" if kwargs.get("path", "").endswith("/$value") else "json"


@odata_view(_path_kind)
def entity_path(request, tenant_slug, entity_set, entity_key, path):
    """``Users(1)/Email``, ``Users(1)/Email/$value``, ``Rewards(1)/Plan`` (to-one navigation),
    and paths through several navigations (``Rewards(1)/Plan/CreatedBy/Email``)."""
    entity_set = _entity_set(entity_set)
    key = _key_value(entity_set, entity_key)
    segments = path.split("/")
    while segments:
        name = segments.pop(0)
        nav = entity_set.nav(name)
        if nav is not None and nav in edm.active_navs(entity_set):
            target = edm.get_set(nav.target)
            fk_path = f"{nav.source}__{target.key_prop.source}"
            target_key = _one(request, entity_set, key, [fk_path])[fk_path]
            if target_key is None:  # a navigation to nothing
                return HttpResponse(status=204)
            entity_set, key = target, target_key
            continue
        prop = entity_set.prop(name)
        if prop is not None:
            return _property_response(request, entity_set, key, prop, segments)
        if name in ("$ref", "$value"):  # entity references; media entities (none here)
            raise ODataError(501, "NotImplemented", f"{name} is not implemented on an entity.")
        raise not_found(f"{entity_set.type_name} has no property or navigation property “{name}”.")
    return _entity_response(request, entity_set, key)


def _property_response(request, entity_set, key, prop, rest) -> HttpResponse:
    if rest not in ([], ["$value"]):
        raise not_found(f"{entity_set.type_name}/{prop.name} is a primitive property: nothing lies under it.")
    parse_options(entity_set, request.odata_options, allowed=VALUE_OPTIONS)
    value = _one(request, entity_set, key, [prop.source])[prop.source]
    if value is None:  # a null property answers 204, with and without $value
        return HttpResponse(status=204)
    if rest:
        return HttpResponse(raw_value(prop.edm, value), content_type="text/plain; charset=utf-8")
    fmt = request.odata_format
    fragment = f"{entity_set.name}({key_literal(entity_set, key)})/{prop.name}"
    body = _context_field(request, fragment)
    if fmt.metadata == "full" and prop.edm in TYPES_NOT_IMPLIED:
        body += f'"@odata.type":"#{prop.edm.removeprefix("Edm.")}",'
    return _response(request, "{" + body + '"value":' + converter(prop.edm, ieee754=fmt.ieee754)(value) + "}")
