"""System query options → one ORM query (the page) and, with ``$count=true``, one COUNT.
The $filter expression itself is translated in ``expressions.py``."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import FieldError
from django.db.models import F

from . import edm
from .errors import bad_option, not_implemented
from .expressions import fits_int64, parse_filter, resolve_path

COLLECTION_OPTIONS = {"$filter", "$select", "$orderby", "$top", "$skip", "$count", "$expand", "$format", "$skiptoken"}
ENTITY_OPTIONS = {"$select", "$expand", "$format"}
# The $count segment accepts (and ignores) paging and shaping options, as OData clients send them.
COUNT_OPTIONS = {"$filter", "$format", "$top", "$skip", "$orderby", "$select", "$expand"}
VALUE_OPTIONS = {"$format"}
# System query options of OData 4.0/4.01 this service does not implement: 501, never ignored.
NOT_IMPLEMENTED = {"$search", "$apply", "$compute", "$levels", "$index", "$schemaversion", "$deltatoken", "$id"}
SYSTEM_OPTIONS = COLLECTION_OPTIONS | NOT_IMPLEMENTED


def page_size() -> int:
    """The server's page size: the most rows a page holds, whatever the client prefers."""
    return int(getattr(settings, "ODATA_PAGE_SIZE", 5000))


@dataclass
class Options:
    select: list[edm.Prop]
    expand: list[edm.Nav] = field(default_factory=list)
    filter_q: object = None
    annotations: dict = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    ordered_by_client: bool = False
    # Pages continue after the last key ($skiptoken) when the order is the default one and the
    # key is an integer; otherwise nextLink carries $skip.
    keyset: bool = False
    top: int | None = None
    skip: int = 0
    count: bool = False
    explicit_select: bool = False
    skiptoken: int | None = None


def option_name(name: str) -> str | None:
    """The canonical name of a system query option, or None for a custom option. OData 4.01 lets
    clients drop the ``$`` and write names in any case (``filter``, ``$FILTER``): both are read as
    ``$filter``, so a filter is never silently ignored. Other names are custom options, which the
    protocol lets a service ignore."""
    lowered = name.strip().lower()
    if lowered.startswith("$"):
        return lowered
    return "$" + lowered if "$" + lowered in SYSTEM_OPTIONS else None


def canonical_options(params) -> dict[str, str]:
    """The system query options of a query string under their canonical names. An option given
    twice (``$top=1&top=2``) is refused: which one would count?"""
    options: dict[str, str] = {}
    for name in params:
        canonical = option_name(name)
        if canonical is None:
            continue
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        if canonical in options or len(values) > 1:
            raise bad_option(canonical, "this query option is given more than once.")
        options[canonical] = values[0]
    return options


def check_option_names(options: dict[str, str], allowed: set[str]) -> None:
    for name in options:
        if name in allowed:
            continue
        if name in NOT_IMPLEMENTED:
            raise not_implemented(name, "this query option is not implemented by this service.")
        if name in COLLECTION_OPTIONS:
            raise bad_option(name, "this query option is not supported here.")
        raise bad_option(name, "unknown system query option.")


def parse_options(entity_set: edm.EntitySet, params: dict[str, str], *, allowed: set[str]) -> Options:
    """``params`` are canonical options (see ``canonical_options``)."""
    check_option_names(params, allowed)
    opts = Options(select=parse_select(entity_set, params.get("$select")))
    opts.explicit_select = bool(params.get("$select"))
    opts.expand = parse_expand(entity_set, params.get("$expand"))
    if params.get("$filter") is not None:
        opts.filter_q, opts.annotations = parse_filter(entity_set, params["$filter"])
    opts.order, opts.ordered_by_client = parse_orderby(entity_set, params.get("$orderby"))
    opts.top = _non_negative(params, "$top")
    opts.skip = _non_negative(params, "$skip") or 0
    opts.count = _boolean(params, "$count")
    opts.keyset = not opts.ordered_by_client and entity_set.key_prop.edm in (edm.INT64, edm.INT32)
    token = params.get("$skiptoken")
    if token is not None:
        if not opts.keyset or not re.fullmatch(r"-?\d{1,19}", token) or not fits_int64(int(token)):
            raise bad_option("$skiptoken", "not a token this service issued.")
        opts.skiptoken = int(token)
    return opts


def _non_negative(params, name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{1,12}", raw.strip()):
        raise bad_option(name, f"expected a non-negative integer, got “{raw}”.")
    return int(raw)


def _boolean(params, name: str) -> bool:
    raw = params.get(name)
    if raw is None:
        return False
    if raw.strip().lower() not in ("true", "false"):
        raise bad_option(name, f"expected true or false, got “{raw}”.")
    return raw.strip().lower() == "true"


def _names(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_select(entity_set: edm.EntitySet, raw: str | None) -> list[edm.Prop]:
    if raw is None or raw.strip() in ("", "*"):
        return list(entity_set.props)
    chosen = []
    for name in _names(raw):
        if name == "*":
            return list(entity_set.props)
        prop = entity_set.prop(name)
        if prop is None:
            raise bad_option("$select", f"{entity_set.name} has no property “{name}”.")
        if prop not in chosen:
            chosen.append(prop)
    key = entity_set.key_prop
    if key not in chosen:  # clients identify entities by key; always send it
        chosen.insert(0, key)
    return chosen


def parse_expand(entity_set: edm.EntitySet, raw: str | None) -> list[edm.Nav]:
    if raw is None or not raw.strip():
        return []
    navs = []
    for name in _names(raw):
        if "(" in name or "/" in name:
            raise not_implemented("$expand", f"nested options and paths are not implemented (“{name}”).")
        nav = entity_set.nav(name) if name != "*" else None
        if name == "*":
            navs.extend(n for n in edm.active_navs(entity_set) if n not in navs)
            continue
        if nav is None or nav not in edm.active_navs(entity_set):
            raise bad_option("$expand", f"{entity_set.name} has no navigation property “{name}”.")
        if nav not in navs:
            navs.append(nav)
    return navs


ORDER_ITEM = re.compile(r"^([A-Za-z_][\w/]*)(?:\s+(asc|desc))?$", re.IGNORECASE)


def parse_orderby(entity_set: edm.EntitySet, raw: str | None) -> tuple[list[str], bool]:
    key_source = entity_set.key_prop.source
    if raw is None or not raw.strip():
        return [key_source], False
    order = []
    for item in raw.split(","):
        match = ORDER_ITEM.match(item.strip())
        if not match:
            raise bad_option("$orderby", f"cannot parse “{item.strip()}”.")
        path, _ = resolve_path(entity_set, match.group(1), "$orderby")
        desc = (match.group(2) or "asc").lower() == "desc"
        order.append(F(path).desc(nulls_last=True) if desc else F(path).asc(nulls_first=True))
    order.append(key_source)  # a total order, so pages never overlap or skip rows
    return order, True


def apply_filter(queryset, opts: Options):
    if opts.filter_q is None:
        return queryset
    try:
        if opts.annotations:
            queryset = queryset.annotate(**opts.annotations)
        return queryset.filter(opts.filter_q)
    except (TypeError, ValueError, FieldError) as exc:
        raise bad_option("$filter", f"cannot use this expression ({exc}).") from None
