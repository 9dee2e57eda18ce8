from django.contrib import admin
from django.urls import include, path

from motcua.api import api
from motcua.payments import staff as payments_staff

admin.site.site_header = "motcua — Quản trị"
admin.site.site_title = "motcua"
admin.site.index_title = "Danh mục dùng chung"

# Error pages in the visitor's language, JSON under /api/ (motcua.core.errorpages).
handler400 = "motcua.core.errorpages.bad_request"
handler403 = "motcua.core.errorpages.permission_denied"
handler404 = "motcua.core.errorpages.page_not_found"
handler500 = "motcua.core.errorpages.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("api/", api.urls),
    path("can-bo/tep-xuat/", include("motcua.exports.urls")),
    path("can-bo/nhiem-vu/", include("motcua.directives.urls")),
    path("can-bo/bao-cao/", include("motcua.reporting.urls")),
    path("", include("motcua.feedback.urls")),  # danh-gia/…, may-danh-gia/…, can-bo/danh-gia-cua-nguoi-dan/…
    path("can-bo/danh-gia/", include("motcua.evaluation.urls")),
    path("can-bo/", include("motcua.evaluation.urls_late")),  # only can-bo/tre-han/…, can-bo/tt01/
    path("can-bo/", include("motcua.evaluation.urls_sync")),  # only can-bo/dong-bo/…
    path("can-bo/", include("motcua.integrations.urls")),  # only can-bo/he-thong/thong-diep/…
    path("can-bo/chi-so-dieu-hanh/", include("motcua.dashboard.urls")),
    path("can-bo/thu-tuc/", include("motcua.catalogue.urls")),
    path("can-bo/lich/", include("motcua.workdays.urls")),
    path("can-bo/don-vi/", include("motcua.core.urls_units")),
    path("can-bo/ho-so/", include("motcua.documents.urls")),  # can-bo/ho-so/<code>/bieu-mau/…, …/ket-qua/
    path("can-bo/ho-so/", include("motcua.dossiers.urls")),
    path("can-bo/", include("motcua.staff.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    path("tai-khoan/", include("motcua.citizens.urls")),
    path("", include("motcua.online.urls")),  # nop-truc-tuyen/…, ho-so-cua-toi/…, kho-du-lieu/…
    path("can-bo/thanh-toan/", payments_staff.payments_page, name="payments_staff"),
    path("", include("motcua.portal.urls")),
]
