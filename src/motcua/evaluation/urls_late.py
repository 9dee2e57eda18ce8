"""Staff pages of the late lists and the TT 01/2018 scores (included under /can-bo/ in motcua/urls.py)."""

from django.urls import path

from motcua.evaluation import views_late, views_tt01

app_name = "late"
urlpatterns = [
    path("tre-han/", views_late.late_page, name="page"),
    path("tre-han/cong-bo/", views_late.publish_view, name="publish"),
    path("tre-han/ghi-nhan/", views_late.note_view, name="note"),
    path("tt01/", views_tt01.tt01_page, name="tt01"),
]
