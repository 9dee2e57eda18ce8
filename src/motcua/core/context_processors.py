from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"PROVINCE_NAME": settings.MOTCUA_PROVINCE_NAME, "REQUIRE_2FA": settings.MOTCUA_REQUIRE_2FA}
