from tests.isolation import provides
from tests.partners import factories as f


@provides("enrollment_id")
def enrollment(tenant):
    return f.PartnerEnrollmentFactory(program__tenant=tenant).pk


@provides("program_id")
def program(tenant):
    return f.PartnerProgramFactory(tenant=tenant).pk
