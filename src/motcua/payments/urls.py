"""The applicant's online payment (included at /thanh-toan/ in motcua/urls.py)."""

from django.urls import path

from motcua.payments import views

app_name = "payments"
urlpatterns = [
    path("bat-dau/", views.start, name="start"),
    path("quay-ve/", views.back, name="back"),
    path("thong-bao/", views.notify, name="notify"),
    path("ket-qua/<str:token>/", views.result, name="result"),
    path("ket-qua/<str:token>/bien-lai.pdf", views.receipt, name="receipt"),
]
