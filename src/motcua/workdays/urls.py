"""Staff screens of the working calendar, included at /can-bo/lich/ in motcua/urls.py."""

from django.urls import path

from motcua.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("tinh-han/", views.due_calculator, name="due"),
]
