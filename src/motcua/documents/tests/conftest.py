"""Fixtures of the documents' tests (the storage in a folder of the test is the root conftest's)."""

from __future__ import annotations

import pytest


@pytest.fixture
def w():
    from motcua.dossiers.tests import factories as df

    return df.world()
