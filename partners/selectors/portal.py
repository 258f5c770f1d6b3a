"""Reads of the partner portal: a partner user's own account and its enrollments only (the
account comes from their profile, never from the request). An ended enrollment is history for
the administrators: the portal shows the enrollments that have not ended."""

from ..models import PartnerEnrollment, PartnerUser
from .enrollments import enrollment_page


def portal_enrollments(*, tenant, user) -> tuple[PartnerUser | None, list[dict]]:
    """The partner user profile of ``user`` and the Enrollment Details data of each of their
    account's enrollments (only their own account: the account comes from the profile)."""
    profile = PartnerUser.objects.filter(tenant=tenant, user=user).select_related("account").first()
    if profile is None:
        return None, []
    ids = list(
        PartnerEnrollment.objects.filter(tenant=tenant, account_id=profile.account_id, ended_at__isnull=True)
        .order_by("program__name")
        .values_list("id", flat=True)
    )
    return profile, [enrollment_page(tenant=tenant, enrollment_id=pk) for pk in ids]


def portal_summary(*, tenant, user) -> tuple[PartnerUser | None, list[PartnerEnrollment]]:
    """The partner user profile of ``user`` and their account's enrollments (home panel)."""
    profile = PartnerUser.objects.filter(tenant=tenant, user=user).select_related("account").first()
    if profile is None:
        return None, []
    enrollments = list(
        PartnerEnrollment.objects.filter(tenant=tenant, account_id=profile.account_id, ended_at__isnull=True)
        .select_related("program", "tier", "next_tier")
        .order_by("program__name")
    )
    return profile, enrollments
