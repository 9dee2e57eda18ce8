"""Staff screen of the organisation, included at /can-bo/don-vi/ in motcua/urls.py."""

from django.urls import path

from motcua.core import views_units

app_name = "units"
urlpatterns = [
    path("", views_units.units_page, name="list"),
]
