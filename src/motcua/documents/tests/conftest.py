"""The documents' storage in a folder of the test (never the developer's var/media)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _documents_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None},
        },
    }
    return tmp_path / "documents"


@pytest.fixture
def w():
    from motcua.dossiers.tests import factories as df

    return df.world()
