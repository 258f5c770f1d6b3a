"""Many enrollments fast (bulk inserts), for the query-count tests and benchmarks."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from partners.models import PartnerAccount, PartnerEnrollment, PartnerUser
from tenancy.models import User


def bulk_enrollments(program, n: int, *, prefix: str = "Bulk") -> None:
    tenant = program.tenant
    tiers = list(program.tiers.order_by("position"))
    users = User.objects.bulk_create(
        [User(email=f"{prefix.lower()}{i}@{tenant.slug}.test", full_name=f"{prefix} User {i}") for i in range(n)]
    )
    accounts = PartnerAccount.objects.bulk_create(
        [PartnerAccount(tenant=tenant, name=f"{prefix} Partner {i:05d}") for i in range(n)]
    )
    pus = PartnerUser.objects.bulk_create(
        [
            PartnerUser(tenant=tenant, account=a, user=u, is_partner_admin=True)
            for a, u in zip(accounts, users, strict=True)
        ]
    )
    now = timezone.now()
    PartnerEnrollment.objects.bulk_create(
        [
            PartnerEnrollment(
                tenant=tenant,
                program=program,
                account=a,
                tier=tiers[i % len(tiers)],
                next_tier=tiers[i % len(tiers) + 1] if i % len(tiers) + 1 < len(tiers) else None,
                progress_percent=Decimal(i % 100),
                enrollment_date=dt.date(2026, 1, 1),
                expiration_date=dt.date(2026, 12, 31) + dt.timedelta(days=i % 400),
                primary_partner_user=pu,
                last_calculated=now - dt.timedelta(days=i % 20),
                progress_changed_at=now - dt.timedelta(days=i % 90),
            )
            for i, (a, pu) in enumerate(zip(accounts, pus, strict=True))
        ],
        batch_size=1000,
    )
