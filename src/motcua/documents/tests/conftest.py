"""Fixtures of the documents' tests (the storage in a folder of the test is the root conftest's)."""

from __future__ import annotations

import pytest


@pytest.fixture
def w():
    from motcua.dossiers.tests import factories as df

    return df.world()


@pytest.fixture
def demo_ca(settings, tmp_path):
    """The demo CA made in a folder of the test; the in-process timestamp authority; no token."""
    from motcua.documents import pki

    settings.MOTCUA_SIGNING_DIR = tmp_path / "signing"
    settings.MOTCUA_TSA_URL = ""
    settings.MOTCUA_PKCS11 = {}
    return pki.create_demo_ca()
