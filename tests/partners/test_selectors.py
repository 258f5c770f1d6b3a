from decimal import Decimal

import pytest
from django.http import Http404

from partners import selectors, services
from partners.models import CriterionKind
from tests.partners.factories import (
    BenefitFactory,
    CourseAssignmentFactory,
    CriterionFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    PartnerUserFactory,
    set_thresholds,
)

pytestmark = pytest.mark.django_db


def test_visible_records_follow_ownership_and_the_admin_flag(tenant):
    pu = PartnerUserFactory(account__tenant=tenant)
    colleague = PartnerUserFactory(account=pu.account)
    mine = OpportunityFactory(account=pu.account, owner=pu.user)
    OpportunityFactory(account=pu.account, owner=colleague.user)
    OpportunityFactory(account__tenant=tenant, owner=pu.user)  # another account: never
    my_lead = LeadFactory(account=pu.account, owner=pu.user)
    LeadFactory(account=pu.account)
    my_course = CourseAssignmentFactory(partner_user=pu)
    CourseAssignmentFactory(partner_user=colleague)
    assert list(selectors.visible_opportunities(pu)) == [mine]
    assert list(selectors.visible_leads(pu)) == [my_lead]
    assert list(selectors.visible_course_assignments(pu)) == [my_course]
    pu.is_partner_admin = True
    assert selectors.visible_opportunities(pu).count() == 2
    assert selectors.visible_leads(pu).count() == 2
    assert selectors.visible_course_assignments(pu).count() == 2


@pytest.mark.parametrize("n", [1, 3])
def test_enrollment_detail_fixed_queries(tenant, other_tenant, n, django_assert_num_queries):
    program = PartnerProgramFactory(tenant=tenant)
    for i in range(n):
        c = CriterionFactory(program=program, name=f"Revenue {i}", kind=CriterionKind.REVENUE)
        set_thresholds(c, [0, 100, 200, 300])
        custom = CriterionFactory(program=program, name=f"Plan {i}", kind=CriterionKind.CUSTOM)
        set_thresholds(custom, [0, 1, 1, 1])
        BenefitFactory(tenant=tenant)
    enrollment = PartnerEnrollmentFactory(program=program)
    OpportunityFactory.create_batch(n, account=enrollment.account, amount=Decimal(150))
    services.set_custom_criterion_status(enrollment, criterion=custom, actor=None, met=True, note="ok")
    services.recalculate_enrollment(enrollment)
    with django_assert_num_queries(8):
        detail = selectors.enrollment_detail(tenant=tenant, enrollment_id=enrollment.pk)
    assert len(detail["criteria"]) == 2 * n
    first = detail["criteria"][0]
    assert first["result"].value == Decimal(150 * n) and first["met"][:2] == [True, True]
    assert detail["criteria"][-1]["custom_status"].met
    with pytest.raises(Http404):
        selectors.enrollment_detail(tenant=other_tenant, enrollment_id=enrollment.pk)
