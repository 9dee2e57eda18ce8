"""The dossier screens moved from the staff app to the dossiers app: every address stays exactly what it
was (people bookmark and share them), and the Vietnamese parameter names of old bookmarks still work."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import resolve, reverse

# The paths of ``staff/urls.py`` before the move (mounted at "can-bo/"), written out literally.
OLD_PATHS = [
    ("dossiers:inbox", [], "/can-bo/ho-so/"),
    ("dossiers:search", [], "/can-bo/ho-so/tim/"),
    ("dossiers:nav", [], "/can-bo/ho-so/menu/"),
    ("dossiers:counts", [], "/can-bo/ho-so/so-luong/"),
    ("dossiers:intake", [], "/can-bo/ho-so/tiep-nhan/"),
    ("dossiers:intake_due", [], "/can-bo/ho-so/tiep-nhan/han-tra/"),
    ("dossiers:intake_applicant", [], "/can-bo/ho-so/tiep-nhan/nguoi-nop/"),
    ("dossiers:detail", ["000.11.01.H31-260309-0001"], "/can-bo/ho-so/000.11.01.H31-260309-0001/"),
    ("dossiers:file", ["000.11.01.H31-260309-0001", 7], "/can-bo/ho-so/000.11.01.H31-260309-0001/tep/7/"),
    (
        "dossiers:action",
        ["000.11.01.H31-260309-0001", "hand_over"],
        "/can-bo/ho-so/000.11.01.H31-260309-0001/thao-tac/hand_over/",
    ),
]


@pytest.mark.parametrize(("name", "args", "path"), OLD_PATHS)
def test_each_dossier_route_keeps_its_address(name, args, path):
    assert reverse(name, args=args) == path
    assert resolve(path).view_name == name


def test_the_fixed_paths_are_not_taken_for_dossier_codes():
    for path in ("/can-bo/ho-so/tim/", "/can-bo/ho-so/menu/", "/can-bo/ho-so/tiep-nhan/"):
        assert resolve(path).view_name != "dossiers:detail"


def test_an_old_bookmarked_inbox_address_redirects_to_the_english_names(client):
    response = client.get(
        "/can-bo/ho-so/", {"hop": "tat-ca", "thu_tuc": "1.001193", "trang_thai": "received"}
    )
    assert response.status_code == 301
    location = urlsplit(response["Location"])
    assert location.path == "/can-bo/ho-so/"
    assert parse_qs(location.query) == {"box": ["tat-ca"], "procedure": ["1.001193"], "status": ["received"]}


def test_an_old_intake_address_redirects_to_the_english_name(client):
    response = client.get("/can-bo/ho-so/tiep-nhan/?thu_tuc=1.001193")
    assert (
        response.status_code == 301 and response["Location"] == "/can-bo/ho-so/tiep-nhan/?procedure=1.001193"
    )
