"""What the client asked for: the format of the answer (``$format`` or ``Accept``), and for JSON
the metadata level (``odata.metadata=minimal|full|none``) and ``IEEE754Compatible`` (Int64 and
Decimal values as strings, as JavaScript clients such as SAP UI5 ask); and which protocol
versions it speaks (``OData-MaxVersion``)."""

import re
from dataclasses import dataclass

from .errors import ODataError

MEDIA_TYPES = {"json": "application/json", "xml": "application/xml", "text": "text/plain"}
METADATA_LEVELS = ("minimal", "full", "none")
# OData 3 spelled the levels as ``odata=minimalmetadata``; Power BI still sends it.
V3_LEVELS = {"minimalmetadata": "minimal", "fullmetadata": "full", "nometadata": "none", "verbose": None}


@dataclass(frozen=True)
class Format:
    kind: str  # json, xml or text
    metadata: str = "minimal"
    ieee754: bool = False

    @property
    def content_type(self) -> str:
        if self.kind == "json":
            ieee = "true" if self.ieee754 else "false"
            return (
                f"application/json;odata.metadata={self.metadata};odata.streaming=true;"
                f"IEEE754Compatible={ieee};charset=utf-8"
            )
        return f"{MEDIA_TYPES[self.kind]};charset=utf-8"


def _media_range(text: str) -> tuple[str, dict[str, str]]:
    kind, *params = (part.strip() for part in text.split(";"))
    values = {}
    for param in params:
        name, _, value = param.partition("=")
        values[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.lower(), values


def _json_options(params: dict[str, str], where: str) -> tuple[str, bool]:
    """The metadata level and IEEE754Compatible of a JSON media range; ODataError(406) names a
    level or flag this service cannot produce."""
    level = params.get("odata.metadata") or params.get("metadata")
    if level is None and "odata" in params:
        level = V3_LEVELS.get(params["odata"], params["odata"])
    level = level or "minimal"
    if level not in METADATA_LEVELS:
        raise ODataError(
            406, "NotAcceptable", f"{where}: odata.metadata={level} is not available; use minimal, full or none."
        )
    ieee = params.get("ieee754compatible", "false")
    if ieee not in ("true", "false"):
        raise ODataError(406, "NotAcceptable", f"{where}: IEEE754Compatible must be true or false, not “{ieee}”.")
    return level, ieee == "true"


def _quality(params: dict[str, str]) -> float:
    try:
        return float(params.get("q", "1"))
    except ValueError:
        return 0.0


def negotiate(request, kind: str, options: dict[str, str]) -> Format:
    """The format to answer in, or ODataError(406). ``options`` are the canonical query options
    (``$format`` wins over ``Accept``, as the protocol says)."""
    wanted = MEDIA_TYPES[kind]
    requested = options.get("$format")
    if requested is not None:
        base, params = _media_range(requested)
        # The $count and $value segments answer text/plain whatever $format=json says.
        if base not in (kind, wanted) and not (kind == "text" and base in ("json", "application/json")):
            raise ODataError(406, "NotAcceptable", f"$format={requested} is not available here; use {kind}.")
        if kind == "json":
            return Format(kind, *_json_options(params, "$format"))
        return Format(kind)
    header = request.headers.get("Accept")
    if header is None:
        return Format(kind)
    # Clients ask for $count with the JSON Accept header of the rest of the service: allow it.
    acceptable = (wanted, "application/json") if kind == "text" else (wanted,)
    ranges = sorted((_media_range(item) for item in header.split(",") if item.strip()), key=lambda r: -_quality(r[1]))
    refusal = None
    for media, params in ranges:
        if _quality(params) <= 0 or not any(_covers(media, t) for t in acceptable):
            continue
        if kind != "json" or media not in ("application/json",):
            return Format(kind)
        try:
            return Format(kind, *_json_options(params, "Accept"))
        except ODataError as error:
            refusal = refusal or error  # a later range may still be acceptable
    raise refusal or ODataError(406, "NotAcceptable", f"This resource is only available as {wanted}.")


def _covers(media_range: str, media_type: str) -> bool:
    main, _, sub = media_type.partition("/")
    accepted_main, _, accepted_sub = media_range.partition("/")
    return accepted_main in ("*", main) and accepted_sub in ("*", sub)


VERSION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


def check_versions(request) -> None:
    """Refuse a client that cannot read OData 4.0 (``OData-MaxVersion`` below 4.0), naming it."""
    raw = request.headers.get("OData-MaxVersion")
    if raw is None:
        return
    match = VERSION.match(raw)
    if match is None:
        raise ODataError(400, "BadRequest", f"OData-MaxVersion: “{raw}” is not a version such as 4.0.")
    if (int(match.group(1)), int(match.group(2))) < (4, 0):
        raise ODataError(
            400,
            "UnsupportedVersion",
            f"OData-MaxVersion {raw.strip()} is not supported: this service speaks OData 4.0 only.",
        )


PREFERENCE = re.compile(r'^\s*(?:odata\.)?maxpagesize\s*=\s*"?(\d{1,9})"?\s*$', re.IGNORECASE)


def max_page_size(request) -> int | None:
    """The most rows a page may hold for this client (``Prefer: odata.maxpagesize=N``; OData 4.01
    lets it drop the ``odata.`` prefix), or None. A preference is a hint (RFC 7240): one this
    service cannot read is ignored, never refused."""
    header = request.headers.get("Prefer")
    if not header:
        return None
    for preference in header.split(","):
        match = PREFERENCE.match(preference.split(";", 1)[0])
        if match and int(match.group(1)) > 0:
            return int(match.group(1))
    return None
