"""Test-wide settings: a deterministic hypothesis profile for CI, no deadlines on a 2-core machine."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=200,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# The national portal simulator as a fixture (``portal``) for every app's tests.
pytest_plugins = ("motcua.integrations.tests.portal",)


@pytest.fixture
def ward_specialist(client, db):
    """A specialist of a ward under the province, signed in with the test client (the screens every
    staff member may open: catalogue, calendar, units)."""
    from motcua.core.models import Role
    from motcua.core.tests import factories

    province = factories.unit("Thành phố", kind="province", code="p")
    ward = factories.unit("Phường A", parent=province, code="wa")
    user = factories.staff([Role.SPECIALIST], ward)
    client.force_login(user)
    return user


@pytest.fixture(scope="session", autouse=True)
def _demo_signing_keys(tmp_path_factory):
    """Issuing a result signs it: one demo CA for the whole run, in a folder of the run (never the
    developer's var/signing). Tests of the keys themselves make their own."""
    from django.conf import settings as django_settings

    from motcua.documents import pki

    folder = tmp_path_factory.mktemp("signing")
    django_settings.MOTCUA_SIGNING_DIR = folder
    # The demo's dossiers waiting on the national portal simulator (dossiers/demo_portal.py).
    django_settings.MOTCUA_DVCQG_INCOMING = tmp_path_factory.mktemp("dvcqg") / "dvcqg-incoming.jsonl"
    django_settings.MOTCUA_TSA_URL = ""
    django_settings.MOTCUA_PKCS11 = {}
    pki.create_demo_ca(folder)


@pytest.fixture(autouse=True)
def _documents_storage(settings, tmp_path):
    """The documents' storage (scans, forms, results) in a folder of the test, never var/media."""
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder
