from django.urls import path

from motcua.dashboard import views as dashboard_views
from motcua.portal import views, views_late, views_quality, views_tracking, views_verify

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("thu-tuc/<str:code>/mau/<int:order>.pdf", views.procedure_form, name="procedure_form"),
    path("tra-cuu-ho-so/", views_tracking.tracking, name="tracking"),
    path("xac-thuc/", views_verify.verify_page, name="verify"),
    path("xac-thuc/<str:code>/", views_verify.verify_code, name="verify_code"),
    path("xac-thuc/<str:code>/tep.pdf", views_verify.verify_file, name="verify_file"),
    path("ho-so-tre-han/", views_late.late_lists, name="late"),
    path("danh-gia-chat-luong/", views_quality.quality, name="quality"),
    path("chi-so-dieu-hanh/", dashboard_views.public, name="kpi"),
]
