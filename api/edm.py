"""Entity-set declarations. Each app declares its sets in ``<app>/odata.py``; ``$metadata``, the
query translation and the JSON serializer are all generated from these declarations.

    register(EntitySet(
        name="Rewards", type_name="Reward", model=Reward,
        queryset=lambda tenant: reward_list(tenant=tenant),
        props=[Prop("Id", "id"), Prop("Amount", "amount"), Prop("PlanId", "plan_id")],
        navs=[Nav("Plan", "Plans", "plan")],
    ))

A ``Prop`` maps an OData property to an ORM path of the set's queryset (``plan__name`` works,
and so does an annotation of the queryset). Its Edm type is inferred from the model field;
give ``edm=`` (and ``max_length``/``precision``/``scale``) for annotations. Only declared
properties can be filtered, selected or sorted. A ``Nav`` is a to-one navigation property:
``$expand`` joins it in the same query (no query per row).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models.constants import LOOKUP_SEP

NAMESPACE = "Portal"

STRING = "Edm.String"
INT64 = "Edm.Int64"
INT32 = "Edm.Int32"
DECIMAL = "Edm.Decimal"
DOUBLE = "Edm.Double"
BOOLEAN = "Edm.Boolean"
DATE = "Edm.Date"
DATETIME = "Edm.DateTimeOffset"
GUID = "Edm.Guid"

EDM_TYPES = {STRING, INT64, INT32, DECIMAL, DOUBLE, BOOLEAN, DATE, DATETIME, GUID}


@dataclass
class Prop:
    name: str
    source: str
    edm: str | None = None
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    nullable: bool | None = None
    # Set while resolving: whether ``source`` is a model field path (then a navigation from another
    # set can reach it), as opposed to an annotation of this set's queryset.
    is_model_path: bool = field(default=False, init=False)


@dataclass
class Nav:
    """A to-one navigation property: ``source`` is the foreign key path to the target's model."""

    name: str
    target: str
    source: str
    nullable: bool | None = None
    # The property of this set that holds the target's key (for the referential constraint).
    via: str | None = None


@dataclass
class EntitySet:
    name: str
    type_name: str
    model: type[models.Model]
    queryset: Callable
    props: list[Prop]
    key: str = "Id"
    navs: list[Nav] = field(default_factory=list)
    description: str = ""

    def prop(self, name: str) -> Prop | None:
        return self._props.get(name)

    def nav(self, name: str) -> Nav | None:
        return self._navs.get(name)

    @property
    def key_prop(self) -> Prop:
        return self._props[self.key]

    def resolve(self) -> None:
        self._props = {p.name: p for p in self.props}
        self._navs = {n.name: n for n in self.navs}
        if self.key not in self._props:
            raise ImproperlyConfigured(f"OData set {self.name}: key {self.key} is not a declared property")
        for prop in self.props:
            _infer(self.model, prop, self.name)


_sets: dict[str, EntitySet] = {}


def register(entity_set: EntitySet) -> EntitySet:
    entity_set.resolve()
    _sets[entity_set.name] = entity_set
    return entity_set


def entity_sets() -> list[EntitySet]:
    return sorted(_sets.values(), key=lambda s: s.name)


def get_set(name: str) -> EntitySet | None:
    return _sets.get(name)


def expandable_props(nav: Nav) -> list[Prop]:
    """The target's properties a navigation can reach in the same query (model paths only)."""
    target = get_set(nav.target)
    return [p for p in target.props if p.is_model_path] if target else []


def active_navs(entity_set: EntitySet) -> list[Nav]:
    """Navigations whose target set is registered (a domain that has not landed has none)."""
    return [n for n in entity_set.navs if n.target in _sets]


def _walk(model, path: str):
    """The last field of an ORM path, and whether any step may be null."""
    nullable = False
    current = model
    last = None
    for part in path.split(LOOKUP_SEP):
        last = current._meta.get_field(part)
        nullable = nullable or bool(getattr(last, "null", False))
        if last.is_relation and last.related_model is not None and part != last.attname:
            current = last.related_model
    return last, nullable


def _infer(model, prop: Prop, set_name: str) -> None:
    try:
        model_field, nullable = _walk(model, prop.source)
    except FieldDoesNotExist:
        model_field, nullable = None, None
    prop.is_model_path = model_field is not None
    if prop.nullable is None:
        prop.nullable = True if nullable is None else nullable
    if prop.edm is None:
        if model_field is None:
            raise ImproperlyConfigured(f"OData set {set_name}: give edm= for {prop.name} ({prop.source} is no field)")
        prop.edm = _edm_of(model_field)
    if prop.edm not in EDM_TYPES:
        raise ImproperlyConfigured(f"OData set {set_name}: unknown Edm type {prop.edm}")
    if model_field is not None:
        if prop.edm == STRING and prop.max_length is None:
            prop.max_length = getattr(model_field, "max_length", None)
        if prop.edm == DECIMAL and prop.precision is None:
            prop.precision = getattr(model_field, "max_digits", None)
            prop.scale = getattr(model_field, "decimal_places", None)


def _edm_of(model_field) -> str:
    if model_field.is_relation:
        model_field = model_field.target_field
    if isinstance(model_field, models.BooleanField):
        return BOOLEAN
    if isinstance(model_field, models.DecimalField):
        return DECIMAL
    if isinstance(model_field, models.FloatField):
        return DOUBLE
    if isinstance(model_field, (models.AutoField, models.BigAutoField, models.BigIntegerField)):
        return INT64
    if isinstance(model_field, models.IntegerField):
        return INT64
    if isinstance(model_field, models.DateTimeField):
        return DATETIME
    if isinstance(model_field, models.DateField):
        return DATE
    if isinstance(model_field, models.UUIDField):
        return GUID
    return STRING
