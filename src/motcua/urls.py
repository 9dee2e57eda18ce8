from django.contrib import admin
from django.urls import include, path

from motcua.api import api

admin.site.site_header = "motcua — Quản trị"
admin.site.site_title = "motcua"
admin.site.index_title = "Danh mục dùng chung"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("api/", api.urls),
    path("can-bo/tep-xuat/", include("motcua.exports.urls")),
    path("can-bo/", include("motcua.staff.urls")),
    path("", include("motcua.portal.urls")),
]
