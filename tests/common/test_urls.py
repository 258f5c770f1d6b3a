"""The row links' ``reverse`` (common/urls.py) answers what Django's does, for every kind of
call, and stops resolving the pattern once it has a checked template."""

import pytest
from django.urls import NoReverseMatch, set_script_prefix
from django.urls import reverse as django_reverse

from common import urls
from common.urls import reverse

CALLS = [
    ("partners:enrollment_detail", {"tenant_slug": "acme", "enrollment_id": 7}),
    ("partners:enrollment_detail", {"tenant_slug": "acme-2_b", "enrollment_id": 1234567}),
    ("partners:enrollment_detail", {"tenant_slug": "acme", "enrollment_id": "42"}),  # a digit string
    ("partners:enrollment_criterion_records", {"tenant_slug": "globex", "enrollment_id": 3, "criterion_id": 9}),
    ("plans:plan_list", {"tenant_slug": "acme"}),
    ("tenancy:member_edit", {"tenant_slug": "acme", "membership_id": 5}),
]


@pytest.mark.parametrize(("name", "kwargs"), CALLS)
def test_the_same_address_as_django_first_and_from_the_template(name, kwargs):
    urls._templates.clear()
    first, second = reverse(name, kwargs=kwargs), reverse(name, kwargs=kwargs)
    assert first == second == django_reverse(name, kwargs=kwargs)


def test_a_template_serves_further_rows_without_resolving(monkeypatch):
    urls._templates.clear()
    kwargs = {"tenant_slug": "acme", "enrollment_id": 1}
    reverse("partners:enrollment_detail", kwargs=kwargs)
    monkeypatch.setattr(urls, "django_reverse", lambda *a, **k: pytest.fail("resolved again"))
    assert (
        reverse("partners:enrollment_detail", kwargs={**kwargs, "enrollment_id": 99})
        == "/w/acme/partners/enrollments/99/"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tenant_slug": "a b", "enrollment_id": 1},  # would be quoted
        {"tenant_slug": "acme", "enrollment_id": True},
        {"tenant_slug": "acme", "enrollment_id": "x"},  # not an int: Django refuses it
        {"tenant_slug": "acmé", "enrollment_id": 1},
    ],
)
def test_other_values_get_djangos_answer(kwargs):
    urls._templates.clear()
    for _ in range(2):
        try:
            expected = django_reverse("partners:enrollment_detail", kwargs=kwargs)
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                reverse("partners:enrollment_detail", kwargs=kwargs)
        else:
            assert reverse("partners:enrollment_detail", kwargs=kwargs) == expected


def test_a_digit_only_converter_never_takes_a_string_from_the_template():
    urls._templates.clear()
    kwargs = {"tenant_slug": "acme", "enrollment_id": "42"}
    assert reverse("partners:enrollment_detail", kwargs=kwargs) == "/w/acme/partners/enrollments/42/"
    with pytest.raises(NoReverseMatch):
        reverse("partners:enrollment_detail", kwargs={**kwargs, "enrollment_id": "abc"})


def test_positional_arguments_a_query_and_a_script_prefix():
    urls._templates.clear()
    assert reverse("plans:plan_list", args=["acme"]) == django_reverse("plans:plan_list", args=["acme"])
    assert reverse("plans:plan_list", kwargs={"tenant_slug": "acme"}, query={"q": "a b"}).endswith("?q=a+b")
    kwargs = {"tenant_slug": "acme"}
    plain = reverse("plans:plan_list", kwargs=kwargs)
    try:
        set_script_prefix("/portal/")
        assert reverse("plans:plan_list", kwargs=kwargs) == "/portal" + plain
    finally:
        set_script_prefix("/")
    assert reverse("plans:plan_list", kwargs=kwargs) == plain


def test_a_bad_view_name_raises_as_django_does():
    with pytest.raises(NoReverseMatch):
        reverse("partners:no_such_view", kwargs={"tenant_slug": "acme"})
