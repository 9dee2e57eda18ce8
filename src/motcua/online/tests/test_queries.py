"""The citizen's lists ("Hồ sơ của tôi", "Kho dữ liệu của tôi") cost the same number of statements
whatever their length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.citizens import access
from motcua.citizens.models import Account
from motcua.documents import warehouse
from motcua.documents.tests import samples
from motcua.dossiers.tests import factories as df

pytestmark = pytest.mark.django_db


def _signed_in(client, w) -> Account:
    now = timezone.now()
    account = Account.objects.create(
        kind=Account.Kind.PERSON, person=w.person, contact_verified_at=now, proof="contact", proven_at=now
    )
    session = client.session
    session[access.SESSION_KEY] = account.pk
    session.save()
    return account


def _statements(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/ho-so-cua-toi/", "/kho-du-lieu/"])
def test_the_lists_do_not_grow_a_statement_per_row(client, w, url):
    _signed_in(client, w)
    for n in range(2):
        df.submit(w)
        warehouse.keep_upload(
            w.person, samples.one_page_pdf(bytes(f"0 0 {n} rg", "ascii")), title=f"Giấy {n}"
        )
    few = _statements(client, url)
    for n in range(2, 12):
        df.submit(w)
        warehouse.keep_upload(
            w.person, samples.one_page_pdf(bytes(f"0 0 {n} rg", "ascii")), title=f"Giấy {n}"
        )
    assert _statements(client, url) == few
