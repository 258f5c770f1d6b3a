"""The OData v4 service at /w/<slug>/odata/: service document, $metadata, entity sets, single
entities, $count. Read-only; authenticated by API key (see auth.py), never by session."""

import json
from functools import wraps

from django.core.exceptions import FieldError
from django.db import DatabaseError
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from tenancy.capabilities import Capability

from . import edm
from .auth import authenticate
from .errors import ODATA_VERSION, ODataError, bad_option, not_found
from .metadata import metadata_xml
from .query import COLLECTION_OPTIONS, COUNT_OPTIONS, ENTITY_OPTIONS, apply_filter, page_size, parse_options
from .serialize import RowWriter, collection

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
FORMATS = {"json": "application/json", "xml": "application/xml", "text": "text/plain"}


def odata_view(fmt: str):
    """Authenticate by key, refuse writes (405) and formats we cannot produce (406), and turn
    every ``ODataError`` into the OData JSON error body."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                request.api_caller = authenticate(request)
                if request.method not in ("GET", "HEAD"):
                    raise ODataError(
                        405, "MethodNotAllowed", "This API is read-only: use GET.", headers={"Allow": "GET"}
                    )
                _negotiate(request, fmt)
                response = view(request, *args, **kwargs)
            except ODataError as error:
                return error.response()
            response["OData-Version"] = ODATA_VERSION
            return response

        wrapped.required_capability = Capability.ADMINISTER
        return wrapped

    return decorator


def _negotiate(request, fmt: str) -> None:
    wanted = FORMATS[fmt]
    requested = request.GET.get("$format")
    if requested is not None:
        base = requested.split(";", 1)[0].strip().lower()
        if base not in (fmt, wanted) and not (fmt == "text" and base == "json"):
            raise ODataError(406, "NotAcceptable", f"$format={requested} is not available here; use {fmt}.")
        return
    # Clients ask for $count with the JSON Accept header of the rest of the service: allow it.
    acceptable = (wanted, "application/json") if fmt == "text" else (wanted,)
    if "Accept" in request.headers and not any(_accepts(request.headers["Accept"], t) for t in acceptable):
        raise ODataError(406, "NotAcceptable", f"This resource is only available as {wanted}.")


def _accepts(header: str, media_type: str) -> bool:
    """Whether an Accept header admits ``media_type``, whatever parameters (odata.metadata=…) it
    adds; a range with q=0 excludes."""
    main, _, sub = media_type.partition("/")
    for item in header.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        if any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        accepted_main, _, accepted_sub = kind.lower().partition("/")
        if accepted_main in ("*", main) and accepted_sub in ("*", sub):
            return True
    return False


def _root_url(request) -> str:
    return request.build_absolute_uri(reverse("api:service_root", kwargs={"tenant_slug": request.tenant.slug}))


def _entity_set(name: str) -> edm.EntitySet:
    entity_set = edm.get_set(name)
    if entity_set is None:
        raise not_found(f"No entity set named “{name}”.")
    return entity_set


def _json(payload: dict) -> HttpResponse:
    return HttpResponse(json.dumps(payload, ensure_ascii=False), content_type=JSON_TYPE)


@odata_view("json")
def service_root(request, tenant_slug):
    sets = [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in edm.entity_sets()]
    return _json({"@odata.context": _root_url(request) + "$metadata", "value": sets})


@odata_view("xml")
def metadata(request, tenant_slug):
    return HttpResponse(metadata_xml(), content_type="application/xml; charset=utf-8")


def _context(request, entity_set, opts, suffix="") -> str:
    select = ""
    if request.GET.get("$select") or opts.expand:
        names = [p.name for p in opts.select] + [f"{n.name}()" for n in opts.expand]
        select = "(" + ",".join(names) + ")"
    return f"{_root_url(request)}$metadata#{entity_set.name}{select}{suffix}"


def _rows(queryset, paths):
    try:
        return list(queryset.values(*paths))
    except (DatabaseError, ValueError, TypeError, OverflowError, FieldError) as exc:
        raise bad_option("$filter", f"the expression cannot be evaluated ({exc.__class__.__name__}).") from None


@odata_view("json")
def entity_collection(request, tenant_slug, entity_set):
    entity_set = _entity_set(entity_set)
    opts = parse_options(entity_set, request.GET, allowed=COLLECTION_OPTIONS)
    writer = RowWriter(opts.select, opts.expand)
    queryset = apply_filter(entity_set.queryset(request.tenant), opts)
    total = _count(queryset) if opts.count else None
    key_source = entity_set.key_prop.source
    start = opts.skip
    if opts.skiptoken is not None:
        queryset = queryset.filter(**{f"{key_source}__gt": opts.skiptoken})
        start = 0
    limit = page_size() if opts.top is None else min(opts.top, page_size())
    rows = _rows(queryset.order_by(*opts.order)[start : start + limit + 1], writer.value_paths)
    more = len(rows) > limit and (opts.top is None or opts.top > limit)
    rows = rows[:limit]

    head = f'"@odata.context":{json.dumps(_context(request, entity_set, opts))},'
    if total is not None:
        head += f'"@odata.count":{total},'
    tail = ""
    if more:
        tail = f',"@odata.nextLink":{json.dumps(_next_link(request, opts, start, limit, rows[-1][key_source]))}'
    return StreamingHttpResponse(collection(head, rows, writer, tail), content_type=JSON_TYPE)


def _count(queryset) -> int:
    try:
        return queryset.count()
    except (DatabaseError, ValueError, TypeError, OverflowError, FieldError) as exc:
        raise bad_option("$filter", f"the expression cannot be evaluated ({exc.__class__.__name__}).") from None


def _next_link(request, opts, start: int, limit: int, last_key) -> str:
    params = request.GET.copy()
    if not opts.keyset:
        params["$skip"] = str(start + limit)
    else:
        # Default order is by key: continue after the last key (no OFFSET scan on deep pages).
        params.pop("$skip", None)
        params["$skiptoken"] = str(last_key)
    if opts.top is not None:
        params["$top"] = str(opts.top - limit)
    return request.build_absolute_uri(request.path) + "?" + params.urlencode(safe="$,'()/:")


@odata_view("text")
def entity_count(request, tenant_slug, entity_set):
    entity_set = _entity_set(entity_set)
    opts = parse_options(entity_set, request.GET, allowed=COUNT_OPTIONS)
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


@odata_view("json")
def entity(request, tenant_slug, entity_set, entity_key):
    entity_set = _entity_set(entity_set)
    key = _key_value(entity_set, entity_key)
    opts = parse_options(entity_set, request.GET, allowed=ENTITY_OPTIONS)
    writer = RowWriter(opts.select, opts.expand)
    queryset = entity_set.queryset(request.tenant).filter(**{entity_set.key_prop.source: key})
    rows = _rows(queryset[:1], writer.value_paths)
    if not rows:
        raise not_found(f"No {entity_set.type_name} with key {key} in {entity_set.name}.")
    context = json.dumps(_context(request, entity_set, opts, "/$entity"))
    return HttpResponse(writer.write(rows[0], prefix=f'"@odata.context":{context},'), content_type=JSON_TYPE)
