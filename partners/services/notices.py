"""Notices before a partner enrollment expires (issue 16): the primary partner user, the account's
partner admins and the partner managers (members whose role holds Partner Program Tiers access)
get one email N days before the expiration date (``Tenant.partner_expiry_notice_days``; 0: off).

Once per (enrollment, expiration date, person): ``PartnerExpiryNotice`` is the record, so moving
the date makes it due again. Suppressed and logged when the enrollment has ended or the person is
deactivated. The selection is set-based: one query for the enrollments in the window without a
complete set of notices for their date, one for the people; the rows are written in one bulk
insert and the emails go out over one connection. Beat runs it hourly (``partners.tasks``)."""

import datetime

from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from activity.models import Action
from activity.services import record
from tenancy.capabilities import Capability
from tenancy.models import Membership, Role, Tenant

from ..models import NoticeStatus, PartnerEnrollment, PartnerExpiryNotice, PartnerUser


def _managers(tenant: Tenant) -> list[tuple[int, str, bool]]:
    roles = [r.pk for r in Role.objects.filter(tenant=tenant) if Capability.PARTNER_TIERS in (r.capabilities or [])]
    return list(
        Membership.objects.filter(tenant=tenant, role_id__in=roles).values_list(
            "user_id", "user__email", "is_active", "user__is_active"
        )
    )


def send_partner_expiry_notices(*, tenant: Tenant, now: datetime.datetime | None = None) -> dict[str, int]:
    days = tenant.partner_expiry_notice_days
    counts = {"sent": 0, "suppressed": 0}
    if not days:
        return counts
    now = now or timezone.now()
    today = now.astimezone(tenant.zone).date()
    # Enrollments in the window that have any notice for their current date are done: the
    # recipients of one run are written together.
    enrollments = list(
        PartnerEnrollment.objects.filter(
            tenant=tenant, expiration_date__gte=today, expiration_date__lte=today + datetime.timedelta(days=days)
        )
        .exclude(
            Exists(
                PartnerExpiryNotice.objects.filter(
                    tenant=tenant, enrollment=OuterRef("pk"), expiration_date=OuterRef("expiration_date")
                )
            )
        )
        .values(
            "pk",
            "account_id",
            "account__name",
            "program__name",
            "expiration_date",
            "ended_at",
            "primary_partner_user__user_id",
        )
    )
    if not enrollments:
        return counts
    account_ids = {e["account_id"] for e in enrollments}
    partner_users = list(
        PartnerUser.objects.filter(tenant=tenant, account_id__in=account_ids)
        .annotate(
            member_active=Exists(Membership.objects.filter(tenant=tenant, user_id=OuterRef("user_id"), is_active=True)),
            email=F("user__email"),
            user_active=F("user__is_active"),
        )
        .values("account_id", "user_id", "email", "is_partner_admin", "member_active", "user_active")
    )
    by_account: dict[int, list[dict]] = {}
    for pu in partner_users:
        by_account.setdefault(pu["account_id"], []).append(pu)
    managers = _managers(tenant)
    rows, messages = [], []
    for e in enrollments:
        people: dict[int, tuple[str, str, bool]] = {}
        for pu in by_account.get(e["account_id"], []):
            if pu["user_id"] == e["primary_partner_user__user_id"]:
                people[pu["user_id"]] = (pu["email"], "primary partner user", pu["member_active"] and pu["user_active"])
            elif pu["is_partner_admin"]:
                people.setdefault(
                    pu["user_id"], (pu["email"], "partner admin", pu["member_active"] and pu["user_active"])
                )
        for user_id, email, member_active, user_active in managers:
            people.setdefault(user_id, (email, "partner manager", member_active and user_active))
        context = {"e": e, "days": days, "tenant": tenant}
        text = render_to_string("emails/partners/enrollment_expiring.txt", context)
        subject, _, body = text.lstrip().partition("\n")
        subject = subject.strip()
        for user_id, (email, role, is_active) in people.items():
            reason = ""
            if e["ended_at"] is not None:
                reason = "The enrollment has ended."
            elif not is_active:
                reason = "The person is deactivated."
            rows.append(
                PartnerExpiryNotice(
                    tenant=tenant,
                    enrollment_id=e["pk"],
                    expiration_date=e["expiration_date"],
                    user_id=user_id,
                    to_address=email,
                    role=role,
                    status=NoticeStatus.SUPPRESSED if reason else NoticeStatus.SENT,
                    reason=reason,
                    subject=subject,
                    created_at=now,
                )
            )
            if not reason:
                messages.append(EmailMessage(subject, body.strip() + "\n", None, [email]))
    with transaction.atomic():
        PartnerExpiryNotice.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        if messages:
            mailers.default.send_messages(messages)
        counts = {"sent": len(messages), "suppressed": len(rows) - len(messages)}
        if rows:
            record(
                tenant=tenant,
                actor=None,
                action=Action.CREATE,
                target="PartnerExpiryNotice",
                verb="sent expiration notices",
                changes={"sent": [None, counts["sent"]], "suppressed": [None, counts["suppressed"]]},
                count=len(rows),
                label=f"{counts['sent']} sent, {counts['suppressed']} suppressed",
            )
    return counts
