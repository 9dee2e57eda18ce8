from django.urls import path

from motcua.staff import views, views_calendar, views_catalogue, views_units

app_name = "staff"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
    path("lich/", views_calendar.calendar_page, name="calendar"),
    path("lich/tinh-han/", views_calendar.due_calculator, name="due"),
    path("don-vi/", views_units.units_page, name="units"),
    path("thu-tuc/", views_catalogue.procedure_list, name="procedures"),
    path("thu-tuc/<str:code>/", views_catalogue.procedure_page, name="procedure"),
]
