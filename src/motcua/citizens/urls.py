from django.urls import path

from motcua.citizens import views

app_name = "citizens"
urlpatterns = [
    path("", views.account, name="account"),
    path("dang-nhap/", views.sign_in, name="sign_in"),
    path("dang-nhap/dinh-danh/", views.sso_start, name="sso_start"),
    path("dang-nhap/dinh-danh/ve/", views.sso_back, name="sso_back"),
    path("dang-ky/", views.sign_up, name="sign_up"),
    path("xac-nhan/", views.confirm, name="confirm"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
]
