from api.services import create_api_key
from tests.factories import member
from tests.isolation import provides


@provides("api_key_id")
def api_key(tenant):
    admin = member(tenant, "Administrator")
    return create_api_key(tenant=tenant, user=admin.user, name="Isolation", actor=None).api_key.pk


@provides("entity_set")
def entity_set(tenant):
    return "Users"


@provides("entity_key")
def entity_key(tenant):
    return str(member(tenant, "Sales Rep").user_id)


@provides("path")
def entity_path(tenant):
    return "Email"


@provides("odata_path")
def odata_path(tenant):
    return "Users/Email"
