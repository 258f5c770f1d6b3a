import django_filters

from common.filters import TenantFilterSet

from . import registry
from .models import Job, JobState


class JobFilter(TenantFilterSet):
    state = django_filters.ChoiceFilter(choices=JobState.choices, empty_label="Any state")
    kind = django_filters.ChoiceFilter(choices=(), empty_label="Any job", label="Job")

    class Meta:
        model = Job
        fields = ["state", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["kind"].extra["choices"] = sorted(
            ((k.name, k.label) for k in registry.kinds().values()), key=lambda c: c[1]
        )
