from django.urls import path

from motcua.staff import views, views_calendar, views_catalogue, views_dossiers, views_units

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
    # Dossiers: the fixed paths first, then the dossier codes.
    path("ho-so/", views_dossiers.inbox, name="dossiers"),
    path("ho-so/tim/", views_dossiers.search, name="dossier_search"),
    path("ho-so/menu/", views_dossiers.nav_partial, name="dossier_nav"),
    path("ho-so/so-luong/", views_dossiers.home_counts, name="dossier_counts"),
    path("ho-so/tiep-nhan/", views_dossiers.intake, name="dossier_intake"),
    path("ho-so/tiep-nhan/han-tra/", views_dossiers.intake_due, name="dossier_intake_due"),
    path("ho-so/tiep-nhan/nguoi-nop/", views_dossiers.intake_applicant, name="dossier_intake_applicant"),
    path("ho-so/<str:code>/", views_dossiers.dossier_page, name="dossier"),
    path("ho-so/<str:code>/tep/<int:pk>/", views_dossiers.component_file, name="dossier_file"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views_dossiers.dossier_action, name="dossier_action"),
]
