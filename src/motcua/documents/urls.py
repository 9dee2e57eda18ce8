from django.urls import path

from motcua.documents import views

app_name = "documents"

urlpatterns = [
    path("<str:code>/bieu-mau/<str:key>.pdf", views.form_pdf, name="form"),
    path("<str:code>/ket-qua/", views.result, name="result"),
    path("<str:code>/chung-thuc/", views.certify, name="certify"),
    path("<str:code>/thu-hoi/<str:public_code>/", views.revoke, name="revoke"),
    path("<str:code>/cap-lai/<str:public_code>/", views.replace, name="replace"),
]
