"""Staff screens of the catalogue, included at /can-bo/thu-tuc/ in motcua/urls.py."""

from django.urls import path

from motcua.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.procedure_list, name="procedures"),
    path("<str:code>/", views.procedure_page, name="procedure"),
]
