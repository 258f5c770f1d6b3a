from activity.services import record
from tests.isolation import provides


@provides("entry_id")
def activity_entry(tenant):
    return record(tenant=tenant, actor=None, action="update", target="Plan", label="Victim plan").pk
