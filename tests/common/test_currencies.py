"""Currencies are ISO 4217 codes, checked against a maintained list wherever one is entered:
plans, recoverable rewards, partner programs, currency rates and the imports. "XXX" and "ZZZ"
were accepted as three capital letters and created balances in currencies that do not exist."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import CurrencyRate, Opportunity, PartnerProgram
from plans.models import Plan, Reward
from tenancy.models import validate_currency
from tests.factories import member
from tests.jobs.runner import run_queued
from tests.partners import factories as f

pytestmark = pytest.mark.django_db

NOT_CURRENCIES = ["ZZZ", "XXX", "XTS", "XAU"]


def u(tenant, name, **kw):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.mark.parametrize("code", ["USD", "EUR", "GBP", "JPY", "CHF", "XOF", "XAF"])
def test_real_currencies_pass(code):
    validate_currency(code)


@pytest.mark.parametrize("code", [*NOT_CURRENCIES, "usd", "US", "DOLLARS"])
def test_codes_that_are_not_money_are_refused(code):
    with pytest.raises(ValidationError):
        validate_currency(code)


@pytest.mark.parametrize("code", NOT_CURRENCIES)
def test_plan_form_refuses_it_next_to_the_field(admin_client, tenant, code):
    data = {"name": "FY27 Plan", "period_start": "2027-01-01", "period_end": "2027-12-31", "currency": code}
    data |= {"status": "draft", "enrollment_option": "none_hidden", "commission_rate": "5"}
    response = admin_client.post(u(tenant, "plans:plan_create"), data)
    assert response.status_code == 200
    assert "is not an ISO 4217 currency" in response.content.decode()
    assert not Plan.objects.filter(tenant=tenant).exists()


def test_recoverable_reward_form_refuses_it(admin_client, tenant):
    rep = member(tenant, "Sales Rep")
    data = {"kind": "advance", "amount": "100", "currency": "ZZZ", "reason": "Ramp-up"}
    response = admin_client.post(u(tenant, "balances:reward_add", membership_id=rep.pk), data)
    assert "is not an ISO 4217 currency" in response.content.decode()
    assert not Reward.objects.filter(tenant=tenant).exists()


def test_partner_program_and_currency_rate_forms_refuse_it(admin_client, tenant):
    response = admin_client.post(u(tenant, "partners:program_add"), {"name": "Resellers", "currency": "XXX"})
    assert "is not an ISO 4217 currency" in response.content.decode()
    assert not PartnerProgram.objects.filter(tenant=tenant).exists()
    data = {"date": "2026-01-01", "from_currency": "EUR", "to_currency": "ZZZ", "rate": "1.1"}
    response = admin_client.post(u(tenant, "partners:rate_add"), data)
    assert "is not an ISO 4217 currency" in response.content.decode()
    assert not CurrencyRate.objects.filter(tenant=tenant).exists()


def test_opportunity_import_refuses_the_row(admin_client, tenant):
    f.PartnerAccountFactory(tenant=tenant, name="Northwind")
    csv_text = "account,owner,name,amount,currency,stage,close_date\nNorthwind,,Deal A,1000,ZZZ,Closed Won,2026-03-01\n"
    upload = SimpleUploadedFile("opps.csv", csv_text.encode(), content_type="text/csv")
    response = admin_client.post(u(tenant, "partners:opportunity_import"), {"file": upload})
    run_queued()
    assert "is not an ISO 4217 currency" in admin_client.get(response.url).content.decode()
    assert not Opportunity.objects.filter(tenant=tenant).exists()
