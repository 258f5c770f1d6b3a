"""Factories of the platform. Domain factories live in tests/<app>/factories.py and take the
tenant from their parent (``factory.SelfAttribute``) so objects never straddle tenants."""

import factory
from django.utils.text import slugify

from tenancy.capabilities import BUILTIN_ROLES, Capability
from tenancy.models import Membership, Role, Tenant, User

PASSWORD = "test-pass-123"  # noqa: S105


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    time_zone = "America/New_York"
    default_currency = "USD"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    # Not a random name: a test that searches for "riley" must not find a generated Riley too.
    full_name = factory.Sequence(lambda n: f"Person {n:04d}")
    password = factory.django.Password(PASSWORD)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("tenant", "name")

    tenant = factory.SubFactory(TenantFactory)
    name = "Administrator"
    capabilities = factory.LazyAttribute(lambda o: [str(c) for c in BUILTIN_ROLES.get(o.name, [Capability.ADMINISTER])])
    is_builtin = factory.LazyAttribute(lambda o: o.name in BUILTIN_ROLES)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    class Params:
        role_name = "Administrator"

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = factory.SubFactory(
        RoleFactory, tenant=factory.SelfAttribute("..tenant"), name=factory.SelfAttribute("..role_name")
    )
    is_active = True


def member(tenant, role_name="Administrator", **kwargs) -> Membership:
    """A member of ``tenant`` with a built-in role (shortcut for tests)."""
    return MembershipFactory(tenant=tenant, role_name=role_name, **kwargs)
