"""Demo data of the platform: the two workspaces and one login per built-in role (SPEC.md §0).

``seed_demo`` calls ``seed(ctx)`` of every installed app that has a ``demo`` module, in
INSTALLED_APPS order, each inside the tenant's scope; each must be idempotent."""

from dataclasses import dataclass, field

from django.db import transaction

from .models import Membership, Role, Tenant, User
from .services import ensure_builtin_roles

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 - demo only, printed on screen by design

DEMO_LOGINS = [
    ("acme", "admin@acme.test", "Ada Admin", "Administrator"),
    ("acme", "partners@acme.test", "Parker Partners", "Partner Program Tiers Access"),
    ("acme", "clientadmin@acme.test", "Cleo Client", "Client Admin"),
    ("acme", "manager@acme.test", "Morgan Manager", "Manager"),
    ("acme", "learner@acme.test", "Lee Learner", "Learner"),
    ("acme", "partner@acme.test", "Pat Partner", "Partner User"),
    ("acme", "rep@acme.test", "Riley Rep", "Sales Rep"),
    ("globex", "admin@globex.test", "Gina Globex", "Administrator"),
]


@dataclass
class DemoContext:
    tenants: dict[str, Tenant] = field(default_factory=dict)
    roles: dict[str, dict[str, Role]] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    stdout: object = None

    def member(self, slug: str, email: str) -> Membership:
        return Membership.objects.select_related("user", "role").get(tenant=self.tenants[slug], user__email=email)


def ensure_member(
    tenant: Tenant,
    email: str,
    full_name: str,
    role: Role,
    *,
    password: str = DEMO_PASSWORD,
    is_active: bool = True,
    manager: Membership | None = None,
    title: str = "",
) -> Membership:
    """Get or create a user and their membership (idempotent; keeps what exists)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    membership, _ = Membership.objects.get_or_create(
        tenant=tenant,
        user=user,
        defaults={"role": role, "is_active": is_active, "manager": manager, "title": title},
    )
    return membership


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    specs = {"acme": ("Acme Corp", "America/New_York", "USD"), "globex": ("Globex", "Europe/London", "GBP")}
    for slug, (name, tz, currency) in specs.items():
        tenant, _ = Tenant.objects.get_or_create(
            slug=slug, defaults={"name": name, "time_zone": tz, "default_currency": currency}
        )
        ctx.tenants[slug] = tenant
        ctx.roles[slug] = ensure_builtin_roles(tenant=tenant)
    for slug, email, full_name, role_name in DEMO_LOGINS:
        ensure_member(ctx.tenants[slug], email, full_name, ctx.roles[slug][role_name])
        ctx.logins.append((email, role_name, slug))
    # The manager coaches the learner and the rep (the Coach page and My plans use it).
    manager = ctx.member("acme", "manager@acme.test")
    Membership.objects.filter(
        tenant=ctx.tenants["acme"], user__email__in=["learner@acme.test", "rep@acme.test"], manager__isnull=True
    ).update(manager=manager)
