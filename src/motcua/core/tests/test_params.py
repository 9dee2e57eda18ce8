"""Old Vietnamese parameter names of published addresses keep working: a bookmark with ?thu_tuc=…
lands on the same page with the current name."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import RequestFactory

from motcua.core.params import legacy_names, renamed_query


@legacy_names(thu_tuc="procedure", ky="period")
def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(",".join(f"{k}={v}" for k, v in sorted(request.GET.items())))


def test_an_old_name_redirects_permanently_to_the_current_one_keeping_the_other_parameters():
    response = _view(RequestFactory().get("/can-bo/ho-so/", {"thu_tuc": "1.001", "q": "Lan"}))
    assert response.status_code == 301
    assert response["Location"] == "/can-bo/ho-so/?procedure=1.001&q=Lan"


def test_current_names_pass_through():
    response = _view(RequestFactory().get("/x/", {"procedure": "1.001", "period": "2026-11"}))
    assert response.status_code == 200
    assert response.content == b"period=2026-11,procedure=1.001"


def test_the_current_name_wins_when_both_are_given():
    query = renamed_query(QueryDict("thu_tuc=old&procedure=new"), {"thu_tuc": "procedure"})
    assert query is not None
    assert query.getlist("procedure") == ["new"]
    assert "thu_tuc" not in query


def test_repeated_values_are_kept():
    query = renamed_query(QueryDict("trang_thai=1&trang_thai=2"), {"trang_thai": "status"})
    assert query is not None and query.getlist("status") == ["1", "2"]


def test_a_form_post_is_never_redirected():
    response = _view(RequestFactory().post("/x/?thu_tuc=1", {"a": "b"}))
    assert response.status_code == 200
