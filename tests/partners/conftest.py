"""Fixtures of the partner page tests."""

import pytest

from tests.conftest import login
from tests.factories import member
from tests.partners.factories import enrolled_partner, manager, program_with_criteria


@pytest.fixture
def tiers_client(client, tenant):
    """A member of the Partner Program Tiers Access role (not an Administrator)."""
    return login(client, member(tenant, "Partner Program Tiers Access"))


@pytest.fixture
def setup(client, tenant):
    """A program with criteria, one calculated enrollment, and the client logged in as a
    partner manager: (program, enrollment)."""
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program)
    login(client, manager(tenant))
    return program, enrollment
