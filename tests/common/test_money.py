"""The ``money`` filter writes amounts as Django's ``number_format`` does for en-us (grouped, two
decimals), without going through the localization machinery for each amount."""

from decimal import Decimal

import pytest
from django.utils.formats import number_format

from common.templatetags.portal import money

AMOUNTS = [
    0,
    "0",
    Decimal("0.005"),
    Decimal("0.015"),
    Decimal("1234.5"),
    Decimal("-1234.5"),
    Decimal("-0.004"),
    Decimal("999999.995"),
    Decimal("1234567890123.45"),
    Decimal("2.5E+4"),
    1250,
    0.1,
    "75.10",
]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_money_is_django_number_format_for_en_us(amount, settings):
    settings.LANGUAGE_CODE = "en-us"
    expected = number_format(Decimal(amount).quantize(Decimal("0.01")), decimal_pos=2, force_grouping=True)
    assert money(amount, "USD") == f"USD {expected}"
    assert money(amount) == expected


@pytest.mark.parametrize("empty", [None, ""])
def test_no_amount_is_a_dash(empty):
    assert money(empty, "USD") == "—"
