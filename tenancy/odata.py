"""OData entity set of the workspace's members (declared here, served by the api app)."""

from django.db.models import FilteredRelation, Q

from api.edm import BOOLEAN, DATETIME, INT64, STRING, EntitySet, Nav, Prop, register

from .models import User


def odata_users(tenant):
    """Members of ``tenant`` with their membership in the same row (one join, no query per row)."""
    return User.objects.annotate(m=FilteredRelation("memberships", condition=Q(memberships__tenant=tenant))).filter(
        m__isnull=False
    )


register(
    EntitySet(
        name="Users",
        type_name="User",
        model=User,
        queryset=odata_users,
        props=[
            Prop("Id", "id"),
            Prop("Email", "email"),
            Prop("FullName", "full_name"),
            Prop("Role", "m__role__name", edm=STRING, max_length=100, nullable=False),
            Prop("IsActive", "m__is_active", edm=BOOLEAN, nullable=False),
            Prop("Title", "m__title", edm=STRING, max_length=120, nullable=False),
            Prop("ManagerId", "m__manager__user_id", edm=INT64, nullable=True),
            Prop("MemberSince", "m__created_at", edm=DATETIME, nullable=False),
        ],
        navs=[Nav("Manager", "Users", "m__manager__user", nullable=True)],
    )
)
