"""Template helpers available in every template (registered as a builtin in settings)."""

from decimal import Decimal

from django import template
from django.utils import timezone

from common.money import CENT

register = template.Library()


@register.filter
def us_datetime(value):
    """``MM/DD/YYYY HH:MM AM/PM`` in the active (tenant's) time zone, e.g. Last Calculated."""
    if not value:
        return "—"
    return timezone.localtime(value).strftime("%m/%d/%Y %I:%M %p")


@register.filter
def us_date(value):
    return value.strftime("%m/%d/%Y") if value else "—"


@register.filter
def money(value, currency=""):
    """``1234.5|money:"USD"`` → ``USD 1,234.50``: US grouping and decimal point, as every page
    writes (Django's ``number_format`` gives the same for en-us at 15 times the cost: a list
    page formats 25 to 100 amounts)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(CENT)
    if not amount:
        amount = abs(amount)  # -0.004 is "0.00", not "-0.00"
    return f"{currency} {amount:,.2f}".strip()


@register.filter
def number(value):
    """A plain grouped number, never scientific notation: ``Decimal("2.5E+4")`` → ``25,000``,
    ``Decimal("2.50")`` → ``2.5``."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,f}".rstrip("0").rstrip(".")


@register.filter
def percent(value, places=0):
    if value is None:
        return "—"
    return f"{float(value):.{int(places)}f}%"


@register.simple_tag(takes_context=True)
def wurl(context, name, **kwargs):
    """``{% wurl 'plans:plan_detail' plan_id=plan.pk %}``: reverse within the current workspace
    (by ``common.urls.reverse``: a row's link from its view's address template, not resolved per row)."""
    from common.urls import reverse

    kwargs.setdefault("tenant_slug", context["request"].tenant.slug)
    return reverse(name, kwargs=kwargs)


@register.simple_tag(takes_context=True)
def has_cap(context, capability):
    membership = getattr(context.get("request"), "membership", None)
    return bool(membership and membership.has(capability))


@register.filter
def bar_percent(value) -> int:
    """``37.6|bar_percent`` → ``38``: a percentage rounded and held within 0…100, for a bar's
    width and its ``aria-valuenow``."""
    try:
        number = round(float(value or 0))
    except (TypeError, ValueError):
        number = 0
    return min(100, max(0, number))


@register.filter
def width_class(value):
    """``37.6|width_class`` → ``w-38``: a bar's width as a class of portal.css (w-0 … w-100), since
    the Content-Security-Policy allows no inline ``style``."""
    return f"w-{bar_percent(value)}"
