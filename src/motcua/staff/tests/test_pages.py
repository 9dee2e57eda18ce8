"""The staff workspace is for signed-in officers only, whichever app owns the screen.

The screens' own tests are with their apps: catalogue/tests/test_views.py, workdays/tests/test_views.py,
core/tests/test_units_page.py."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/can-bo/", "/can-bo/lich/", "/can-bo/don-vi/", "/can-bo/thu-tuc/"])
def test_staff_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]
