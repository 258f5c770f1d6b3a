from jobs.models import Job
from tests.isolation import provides


@provides("job_id")
def job(tenant):
    return Job.objects.create(tenant=tenant, kind="tests.script", target_type="Thing", target_id="1").pk
