"""Fixtures of the tests in this folder (the API tests have theirs in scoring_api/conftest.py)."""

from __future__ import annotations

import pytest
from dashboard_fake import FakeApi


@pytest.fixture
def fake() -> FakeApi:
    """A new in-memory API (no state shared between tests), for the dashboard's tests."""
    return FakeApi()
