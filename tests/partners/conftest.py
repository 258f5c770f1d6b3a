"""Fixtures of the partner page tests."""

import pytest

from tests.conftest import login
from tests.factories import member


@pytest.fixture
def tiers_client(client, tenant):
    """A member of the Partner Program Tiers Access role (not an Administrator)."""
    return login(client, member(tenant, "Partner Program Tiers Access"))
