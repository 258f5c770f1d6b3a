"""Fast set-up of many beneficiaries (bulk inserts) for the scale and query-count tests."""

from enrollments.models import PlanEnrollment
from plans.models import PlanBeneficiary
from tenancy.models import Membership, User
from tests.factories import RoleFactory


def bulk_reps(tenant, n: int, *, prefix: str = "rep") -> list[User]:
    """``n`` Sales Rep members of ``tenant`` (one INSERT per table)."""
    role = RoleFactory(tenant=tenant, name="Sales Rep")
    start = User.objects.count()
    users = User.objects.bulk_create(
        [User(email=f"{prefix}{start + i:06d}@{tenant.slug}.test", full_name=f"Rep {start + i:06d}") for i in range(n)]
    )
    users = list(User.objects.filter(email__in=[u.email for u in users]).order_by("email"))
    Membership.objects.bulk_create([Membership(tenant=tenant, user=u, role=role) for u in users])
    return users


def bulk_beneficiaries(plan, users, *, enroll_every: int = 0) -> None:
    """Assign ``users`` to ``plan``; enroll every ``enroll_every``-th one (0: nobody)."""
    PlanBeneficiary.objects.bulk_create([PlanBeneficiary(tenant=plan.tenant, plan=plan, user=u) for u in users])
    if enroll_every:
        PlanEnrollment.objects.bulk_create(
            [
                PlanEnrollment(tenant=plan.tenant, plan=plan, user=u, method="checkbox")
                for i, u in enumerate(users)
                if i % enroll_every == 0
            ]
        )
