"""``$metadata``: CSDL XML (EDMX 4.0), generated from the registered entity sets."""

from xml.sax.saxutils import quoteattr

from . import edm
from .expressions import FILTER_FUNCTIONS

CAPABILITIES = "Org.OData.Capabilities.V1"


def _attrs(**values) -> str:
    return "".join(f" {name}={quoteattr(str(value))}" for name, value in values.items() if value is not None)


def _property(prop: edm.Prop) -> str:
    extra = {}
    if prop.edm == edm.STRING and prop.max_length:
        extra["MaxLength"] = prop.max_length
    if prop.edm == edm.DECIMAL:
        extra["Precision"] = prop.precision
        extra["Scale"] = prop.scale
    if prop.edm == edm.DATETIME:
        extra["Precision"] = 6
    nullable = "true" if prop.nullable else "false"
    return f"<Property{_attrs(Name=prop.name, Type=prop.edm, Nullable=nullable, **extra)}/>"


def _referenced_prop(entity_set: edm.EntitySet, nav: edm.Nav) -> str | None:
    if nav.via:
        return nav.via
    for prop in entity_set.props:
        if prop.source in (f"{nav.source}_id", nav.source):
            return prop.name
    return None


def _nav_property(entity_set: edm.EntitySet, nav: edm.Nav) -> str:
    target = edm.get_set(nav.target)
    nullable = nav.nullable
    via = _referenced_prop(entity_set, nav)
    if nullable is None:
        via_prop = entity_set.prop(via) if via else None
        nullable = via_prop.nullable if via_prop else True
    inner = ""
    if via:
        inner = f"<ReferentialConstraint{_attrs(Property=via, ReferencedProperty=target.key)}/>"
    attrs = _attrs(Name=nav.name, Type=f"{edm.NAMESPACE}.{target.type_name}", Nullable="true" if nullable else "false")
    return f"<NavigationProperty{attrs}>{inner}</NavigationProperty>"


def _annotation(term: str, inner: str = "", **attrs) -> str:
    if not inner:
        return f"<Annotation{_attrs(Term=f'{CAPABILITIES}.{term}', **attrs)}/>"
    return f"<Annotation{_attrs(Term=f'{CAPABILITIES}.{term}', **attrs)}>{inner}</Annotation>"


def _record(**values: bool | int) -> str:
    props = []
    for name, value in values.items():
        kind = "Bool" if isinstance(value, bool) else "Int"
        text = str(value).lower() if isinstance(value, bool) else str(value)
        props.append(f'<PropertyValue Property="{name}" {kind}="{text}"/>')
    return "<Record>" + "".join(props) + "</Record>"


def _strings(values) -> str:
    return "<Collection>" + "".join(f"<String>{v}</String>" for v in values) + "</Collection>"


def _set_annotations() -> str:
    """What each entity set supports (Org.OData.Capabilities.V1), so clients learn the limits
    without trial and error: read-only, $top/$skip/$count, $filter with FILTER_FUNCTIONS,
    $expand one level deep, no $search."""
    return "".join(
        [
            _annotation("InsertRestrictions", _record(Insertable=False)),
            _annotation("UpdateRestrictions", _record(Updatable=False)),
            _annotation("DeleteRestrictions", _record(Deletable=False)),
            _annotation("TopSupported", Bool="true"),
            _annotation("SkipSupported", Bool="true"),
            _annotation("CountRestrictions", _record(Countable=True)),
            _annotation("FilterFunctions", _strings(FILTER_FUNCTIONS)),
            _annotation("SearchRestrictions", _record(Searchable=False)),
            _annotation("ExpandRestrictions", _record(Expandable=True, MaxLevels=1)),
        ]
    )


def _container_annotations() -> str:
    """The service as a whole: no $batch, the JSON it can write, the functions $filter knows.
    AsynchronousRequestsSupported is not declared: the service does not honour respond-async."""
    formats = [
        f"application/json;odata.metadata={level};IEEE754Compatible={ieee}"
        for level in ("minimal", "full", "none")
        for ieee in ("false", "true")
    ]
    return "".join(
        [
            _annotation("BatchSupported", Bool="false"),
            _annotation("BatchSupport", _record(Supported=False)),
            _annotation("SupportedFormats", _strings(formats)),
            _annotation("FilterFunctions", _strings(FILTER_FUNCTIONS)),
        ]
    )


def metadata_xml() -> str:
    sets = edm.entity_sets()
    types, container = [], []
    for entity_set in sets:
        key = f'<Key><PropertyRef Name="{entity_set.key}"/></Key>'
        props = "".join(_property(p) for p in entity_set.props)
        navs = "".join(_nav_property(entity_set, n) for n in edm.active_navs(entity_set))
        types.append(f"<EntityType{_attrs(Name=entity_set.type_name)}>{key}{props}{navs}</EntityType>")
        bindings = "".join(
            f"<NavigationPropertyBinding{_attrs(Path=n.name, Target=n.target)}/>" for n in edm.active_navs(entity_set)
        )
        container.append(
            f"<EntitySet{_attrs(Name=entity_set.name, EntityType=f'{edm.NAMESPACE}.{entity_set.type_name}')}>"
            f"{bindings}{_set_annotations()}</EntitySet>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">'
        '<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">'
        f'<edmx:Include Namespace="{CAPABILITIES}" Alias="Capabilities"/></edmx:Reference>'
        "<edmx:DataServices>"
        f'<Schema Namespace="{edm.NAMESPACE}" xmlns="http://docs.oasis-open.org/odata/ns/edm">'
        + "".join(types)
        + f'<EntityContainer Name="Container">{"".join(container)}{_container_annotations()}</EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )
