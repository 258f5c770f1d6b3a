import pytest

from jobs import registry
from tenancy.capabilities import Capability


class Script:
    """A kind of job whose work the test writes: ``script.work = lambda job, progress: ...``."""

    def __init__(self):
        self.work = lambda job, progress: "Done."
        self.kind = registry.register(
            registry.JobKind(
                name="tests.script",
                label="Scripted work",
                run=lambda job, progress: self.work(job, progress),
                capability=Capability.MANAGE_SETTINGS,
            )
        )


@pytest.fixture
def script():
    return Script()
