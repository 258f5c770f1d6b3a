"""No export hands a spreadsheet a live formula (OWASP "CSV injection").

Walks every URL under /w/<slug>/ and asks each for ``?export=csv`` and ``?export=xlsx`` after
planting a formula in every free-text column of every table (a partner account named
``=HYPERLINK(...)``, a learner, a plan, a reason …). Whatever answers with a file must hold no
cell that a spreadsheet would run: text that starts with ``= + - @``, a tab or a carriage return is
prefixed with ``'``; money and dates stay numbers and dates."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from openpyxl import load_workbook

from common.export import FORMULA_TRIGGERS, neutralise
from tenancy.capabilities import Capability
from tests.conftest import login
from tests.factories import RoleFactory, member
from tests.isolation import KWARG_FACTORIES
from tests.test_isolation import SESSION_URLS

PROJECT_APPS = {"tenancy", "activity", "plans", "enrollments", "balances", "partners", "courses", "api"}
# Codes the code itself looks up by value; a formula there would only break the page, not test it.
SKIPPED_FIELDS = {"email", "slug", "password", "currency", "from_currency", "to_currency", "time_zone", "key_hash"}


def _free_text_fields(model):
    for field in model._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or isinstance(field, models.EmailField):
            continue
        if field.choices or field.unique or field.name in SKIPPED_FIELDS or field.name.endswith(("_hash", "_code")):
            continue
        yield field


def _formula(field):
    """``=HYPERLINK("http://evil.example","<pk>")``, or ``=1+<pk>`` where that does not fit: unique
    per row, so composite unique constraints hold."""
    pk = Cast("pk", models.CharField())
    if field.max_length and field.max_length < 48:
        return Concat(Value("=1+"), pk)
    return Concat(Value('=HYPERLINK("http://evil.example","'), pk, Value('")'))


def _plant_formulas(tenant) -> int:
    planted = 0
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.proxy or model.__name__ in {"Tenant", "Role"}:
            continue
        fields = list(_free_text_fields(model))
        if not fields:
            continue
        values = {f.name: _formula(f) for f in fields if not f.max_length or f.max_length >= 8}
        rows = model.objects.filter(tenant=tenant) if hasattr(model, "tenant_id") else model.objects.all()
        planted += rows.update(**values)
    return planted


def _cells(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(body)).active
    rows = []
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row), [c.value for c in row]
        rows.append([cell.value for cell in row])
    return rows


@pytest.mark.django_db
def test_no_export_holds_a_live_formula(client, tenant):
    objects = {name: KWARG_FACTORIES[name](tenant) for name in {k for _, kw in SESSION_URLS for k in kw}}
    role = RoleFactory(tenant=tenant, name="Everything", capabilities=[str(c) for c in Capability])
    login(client, member(tenant, "Everything", role=role))
    assert _plant_formulas(tenant) > 20

    files, neutralised = [], 0
    for name, kwarg_names in SESSION_URLS:
        url = reverse(name, kwargs={"tenant_slug": tenant.slug, **{k: objects[k] for k in kwarg_names}})
        for fmt in ("csv", "xlsx"):
            response = client.get(url, {"export": fmt})
            if response.status_code != 200 or "attachment" not in response.get("Content-Disposition", ""):
                continue
            rows = _cells(response)
            files.append(f"{name} {fmt}")
            for row in rows[1:]:
                for value in row:
                    assert not (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)), (name, fmt, value)
                    assert not (isinstance(value, str) and re.search(r"</?[a-z]+[ >]", value)), (name, fmt, value)
                    neutralised += isinstance(value, str) and value.startswith("'=HYPERLINK")
    # Every list page with an Export button, in both formats (22 exports today).
    assert len(files) >= 2 * 22, files
    assert neutralised > 0


def test_neutralise_keeps_numbers_and_dates():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-250.00") == "'-250.00"  # text that looks like a number is still text
    assert [neutralise(c) for c in ("+x", "@SUM(A1)", "\tx", "\rx")] == ["'+x", "'@SUM(A1)", "'\tx", "'\rx"]
    assert neutralise("Prairie Systems") == "Prairie Systems"
    assert neutralise(Decimal("-250.00")) == Decimal("-250.00")
    assert neutralise(-3) == -3
    assert neutralise(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
    assert neutralise("") == ""


@pytest.mark.django_db
def test_every_list_page_answers_its_htmx_requests(client, tenant):
    """A filter or a search swaps the table through htmx: that answer is the page's partial, for
    every page (Sales orders answered 500: its template extends the list page, whose partial
    Django finds only under the template that defines it)."""
    objects = {name: KWARG_FACTORIES[name](tenant) for name in {k for _, kw in SESSION_URLS for k in kw}}
    role = RoleFactory(tenant=tenant, name="Everything", capabilities=[str(c) for c in Capability])
    login(client, member(tenant, "Everything", role=role))
    swapped = []
    for name, kwarg_names in SESSION_URLS:
        url = reverse(name, kwargs={"tenant_slug": tenant.slug, **{k: objects[k] for k in kwarg_names}})
        page = client.get(url)
        if page.status_code != 200 or page.streaming or b'id="table-container"' not in page.content:
            continue
        response = client.get(url, {"q": "a"}, headers={"HX-Request": "true"})
        assert response.status_code == 200, name
        assert b"<html" not in response.content and b'id="table-container"' in response.content, name
        swapped.append(name)
    assert len(swapped) >= 20, swapped
