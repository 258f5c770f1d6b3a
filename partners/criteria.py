"""What each criterion kind measures, and its filter conditions.

A kind names its source records, the fields that may be rolled up (summed) and used as the
attainment date, and an implicit condition (e.g. closed deals are opportunities at Closed Won).
Filter conditions are data: a list of ``{"field", "op", "value"}`` whose field comes from the
source's whitelist below and whose value is parsed to the field's type. They become ORM lookups
(``Q(stage__exact="closed_won")``) — never evaluated code or raw SQL.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q

from .choices import CriterionKind, LeadStatus, OpportunityStage

# field name -> (label, type, choices or None); type is "text", "choice", "decimal" or "date".
OPPORTUNITY_FIELDS = {
    "name": ("Opportunity name", "text", None),
    "stage": ("Stage", "choice", OpportunityStage.choices),
    "amount": ("Amount", "decimal", None),
    "expected_revenue": ("Expected revenue", "decimal", None),
    "currency": ("Currency", "text", None),
    "close_date": ("Close date", "date", None),
    "created_date": ("Created date", "date", None),
}
LEAD_FIELDS = {
    "company": ("Company", "text", None),
    "status": ("Status", "choice", LeadStatus.choices),
    "approval_date": ("Approval date", "date", None),
    "created_date": ("Created date", "date", None),
}
COURSE_FIELDS = {
    "course_name": ("Course name", "text", None),
    "assigned_date": ("Assigned date", "date", None),
    "completed_date": ("Completion date", "date", None),
}


@dataclass(frozen=True)
class KindSpec:
    source: str | None  # "opportunity", "lead", "course" or None (custom)
    fields: dict = field(default_factory=dict)
    rollup_fields: tuple[str, ...] = ()  # empty: the value is a count of records
    date_fields: tuple[str, ...] = ()  # the first is the default
    implicit: dict = field(default_factory=dict)  # ORM lookups every record must match
    unit: str = ""


KINDS: dict[str, KindSpec] = {
    CriterionKind.REVENUE: KindSpec(
        "opportunity", OPPORTUNITY_FIELDS, ("amount", "expected_revenue"), ("close_date", "created_date")
    ),
    CriterionKind.CLOSED_DEALS: KindSpec(
        "opportunity",
        OPPORTUNITY_FIELDS,
        (),
        ("close_date", "created_date"),
        {"stage": OpportunityStage.CLOSED_WON},
        "deals",
    ),
    CriterionKind.APPROVED_REGISTRATIONS: KindSpec(
        "lead", LEAD_FIELDS, (), ("approval_date", "created_date"), {"status": LeadStatus.APPROVED}, "registrations"
    ),
    CriterionKind.REGISTERED_DEALS: KindSpec(
        "lead", LEAD_FIELDS, (), ("created_date", "approval_date"), {}, "registrations"
    ),
    CriterionKind.CERTIFICATIONS: KindSpec(
        "course",
        COURSE_FIELDS,
        (),
        ("completed_date",),
        {"completed_date__isnull": False},
        "certifications",
    ),
    CriterionKind.CUSTOM: KindSpec(None),
}

# op -> (label, ORM lookup, negated, types it applies to)
OPERATORS = {
    "=": ("equals", "exact", False, {"text", "choice", "decimal", "date"}),
    "!=": ("does not equal", "exact", True, {"text", "choice", "decimal", "date"}),
    ">": ("greater than", "gt", False, {"decimal", "date"}),
    ">=": ("at least", "gte", False, {"decimal", "date"}),
    "<": ("less than", "lt", False, {"decimal", "date"}),
    "<=": ("at most", "lte", False, {"decimal", "date"}),
    "in": ("is one of", "in", False, {"text", "choice"}),
    "contains": ("contains", "icontains", False, {"text"}),
}


def spec_for(kind: str) -> KindSpec:
    return KINDS[kind]


def field_label(kind: str, name: str) -> str:
    fields = KINDS[kind].fields
    return fields[name][0] if name in fields else name


def _parse_value(name: str, ftype: str, choices, op: str, raw):
    """Parse one value to the field's type; raise ValueError with a message for the user."""
    if op == "in":
        items = raw if isinstance(raw, list) else [v for v in str(raw).split(",")]
        items = [str(v).strip() for v in items if str(v).strip()]
        if not items:
            raise ValueError(f"give at least one value for “{name} in”")
        return [_parse_value(name, ftype, choices, "=", v) for v in items]
    text = str(raw).strip()
    if ftype == "choice":
        for value, label in choices:
            if text.lower() in (value.lower(), str(label).lower()):
                return value
        allowed = ", ".join(str(label) for _, label in choices)
        raise ValueError(f"“{text}” is not a {name}; use one of {allowed}")
    if ftype == "decimal":
        try:
            return str(Decimal(text.replace(",", "").lstrip("$")))
        except InvalidOperation:
            raise ValueError(f"“{text}” is not a number") from None
    if ftype == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"“{text}” is not a date (use YYYY-MM-DD)") from None
    if not text:
        raise ValueError(f"give a value for {name}")
    return text


def normalize_conditions(kind: str, conditions) -> list[dict]:
    """Validate and normalize a list of condition dicts; raise ValidationError listing problems."""
    spec = KINDS.get(kind)
    if spec is None or spec.source is None:
        if conditions:
            raise ValidationError("Custom criteria have no filter conditions.")
        return []
    if not isinstance(conditions, list):
        raise ValidationError("Conditions must be a list.")
    out, errors = [], []
    for i, cond in enumerate(conditions, start=1):
        if not isinstance(cond, dict):
            errors.append(f"Condition {i}: not a condition.")
            continue
        name, op, raw = cond.get("field"), cond.get("op"), cond.get("value", "")
        if name not in spec.fields:
            errors.append(f"Condition {i}: unknown field “{name}”; use one of {', '.join(spec.fields)}.")
            continue
        label, ftype, choices = spec.fields[name]
        if op not in OPERATORS or ftype not in OPERATORS[op][3]:
            ops = ", ".join(o for o, d in OPERATORS.items() if ftype in d[3])
            errors.append(f"Condition {i}: “{op}” does not apply to {label}; use one of {ops}.")
            continue
        try:
            value = _parse_value(name, ftype, choices, op, raw)
        except ValueError as exc:
            errors.append(f"Condition {i}: {exc}.")
            continue
        out.append({"field": name, "op": op, "value": value})
    if errors:
        raise ValidationError(errors)
    return out


def parse_conditions_text(kind: str, text: str) -> list[dict]:
    """One condition per line, ``field op value`` (e.g. ``stage = Closed Won``,
    ``stage in Negotiation, Closed Won``). Returns normalized conditions or raises ValidationError."""
    conditions = []
    ops_by_length = sorted(OPERATORS, key=len, reverse=True)
    errors = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.split(None, 1)
        name, rest = parts[0], (parts[1] if len(parts) > 1 else "")
        op = next((o for o in ops_by_length if rest.lower().startswith(o)), None)
        if op is None:
            errors.append(f"Line {n}: write “field operator value”, e.g. “stage = Closed Won”.")
            continue
        conditions.append({"field": name, "op": op, "value": rest[len(op) :].strip()})
    if errors:
        raise ValidationError(errors)
    try:
        return normalize_conditions(kind, conditions)
    except ValidationError as exc:
        raise ValidationError([m.replace("Condition", "Line") for m in exc.messages]) from None


def conditions_text(kind: str, conditions: list[dict]) -> str:
    """The editable text form of stored conditions (inverse of ``parse_conditions_text``)."""
    spec = KINDS.get(kind)
    lines = []
    for cond in conditions or []:
        value = cond["value"]
        if spec and cond["field"] in spec.fields and spec.fields[cond["field"]][1] == "choice":
            labels = dict(spec.fields[cond["field"]][2])
            value = [labels.get(v, v) for v in value] if isinstance(value, list) else labels.get(value, value)
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"{cond['field']} {cond['op']} {shown}")
    return "\n".join(lines)


def conditions_q(kind: str, conditions: list[dict], prefix: str = "") -> Q:
    """The implicit condition of the kind AND every stored condition, as one Q (fields prefixed
    with ``prefix`` when the query starts from another model)."""
    spec = KINDS[kind]
    q = Q(**{f"{prefix}{k}": v for k, v in spec.implicit.items()})
    for cond in normalize_conditions(kind, conditions):
        label, lookup, negated, _ = OPERATORS[cond["op"]]
        term = Q(**{f"{prefix}{cond['field']}__{lookup}": cond["value"]})
        q &= ~term if negated else term
    return q


def validate_criterion_fields(criterion) -> None:
    """Model-level validation of a criterion's kind, rollup field, date field and conditions."""
    spec = KINDS.get(criterion.kind)
    if spec is None:
        raise ValidationError({"kind": "Choose a criterion kind."})
    errors = {}
    if spec.source is None:
        criterion.rollup_field = ""
        criterion.attainment_date_field = ""
    else:
        if spec.rollup_fields:
            if not criterion.rollup_field:
                criterion.rollup_field = spec.rollup_fields[0]
            elif criterion.rollup_field not in spec.rollup_fields:
                errors["rollup_field"] = f"Choose one of: {', '.join(spec.rollup_fields)}."
        elif criterion.rollup_field:
            errors["rollup_field"] = "This kind counts records; it has no rollup field."
        if not criterion.attainment_date_field:
            criterion.attainment_date_field = spec.date_fields[0]
        elif criterion.attainment_date_field not in spec.date_fields:
            errors["attainment_date_field"] = f"Choose one of: {', '.join(spec.date_fields)}."
    try:
        criterion.conditions = normalize_conditions(criterion.kind, criterion.conditions or [])
    except ValidationError as exc:
        errors["conditions"] = exc.messages
    if errors:
        raise ValidationError(errors)
