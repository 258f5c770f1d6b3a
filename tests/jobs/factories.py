import factory

from jobs.models import Job
from tests.factories import TenantFactory


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    tenant = factory.SubFactory(TenantFactory)
    kind = "tests.script"
    target_type = "Thing"
    target_id = factory.Sequence(str)
    target_label = factory.LazyAttribute(lambda o: f"Thing {o.target_id}")
