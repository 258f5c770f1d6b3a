import pytest
from django.core.management import call_command

from partners.models import Opportunity, PartnerEnrollment, PartnerProgram


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_stores_progress(capsys):
    call_command("seed_demo")
    counts = (PartnerEnrollment.objects.count(), Opportunity.objects.count())
    call_command("seed_demo")
    assert (PartnerEnrollment.objects.count(), Opportunity.objects.count()) == counts
    program = PartnerProgram.objects.get(tenant__slug="acme")
    enrollments = list(program.enrollments.select_related("tier", "primary_partner_user__user"))
    assert len(enrollments) == 28
    assert all(e.last_calculated for e in enrollments)
    assert {e.tier.name for e in enrollments} == {"Launch", "Build", "Scale", "Elevate"}
    near = [e for e in enrollments if e.progress_percent is not None and 85 <= e.progress_percent < 100]
    assert len(near) >= 3, "some partners are close to their next tier"
    assert len({e.progress_percent for e in enrollments}) > 10, "progress varies"
    northwind = next(e for e in enrollments if e.account.name == "Northwind Traders")
    assert northwind.primary_partner_user.user.email == "partner@acme.test"
    assert PartnerEnrollment.objects.filter(tenant__slug="globex").count() == 3
