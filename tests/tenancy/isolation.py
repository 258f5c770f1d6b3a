from tests.factories import RoleFactory, member
from tests.isolation import provides


@provides("membership_id")
def membership(tenant):
    return member(tenant, "Sales Rep").pk


@provides("role_id")
def role(tenant):
    return RoleFactory(tenant=tenant, name="Auditor", capabilities=["view_activity"]).pk
