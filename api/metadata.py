"""``$metadata``: CSDL XML (EDMX 4.0), generated from the registered entity sets."""

from xml.sax.saxutils import quoteattr

from . import edm

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


def _read_only_annotations() -> str:
    parts = []
    for term in ("InsertRestrictions", "UpdateRestrictions", "DeleteRestrictions"):
        prop = {"InsertRestrictions": "Insertable", "UpdateRestrictions": "Updatable"}.get(term, "Deletable")
        parts.append(
            f'<Annotation Term="{CAPABILITIES}.{term}"><Record>'
            f'<PropertyValue Property="{prop}" Bool="false"/></Record></Annotation>'
        )
    return "".join(parts)


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
            f"{bindings}{_read_only_annotations()}</EntitySet>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">'
        '<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">'
        f'<edmx:Include Namespace="{CAPABILITIES}" Alias="Capabilities"/></edmx:Reference>'
        "<edmx:DataServices>"
        f'<Schema Namespace="{edm.NAMESPACE}" xmlns="http://docs.oasis-open.org/odata/ns/edm">'
        + "".join(types)
        + f'<EntityContainer Name="Container">{"".join(container)}</EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )
