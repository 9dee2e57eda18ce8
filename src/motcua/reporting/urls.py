from django.urls import path

from motcua.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.definitions, name="definitions"),
    path("cua-toi/", views.my_reports, name="mine"),
    path("<int:pk>/", views.definition_page, name="definition"),
    path("ky/<int:pk>/", views.period_page, name="period"),
    path("ky/<int:pk>/tong-hop/", views.aggregate_page, name="aggregate"),
    path("ky/<int:pk>/tong-hop/excel/", views.aggregate_file, name="aggregate_file"),
    path("ky/<int:pk>/don-vi/<str:code>/", views.report_page, name="report"),
    path("ky/<int:pk>/don-vi/<str:code>/tai-len/", views.upload, name="upload"),
    path("ky/<int:pk>/don-vi/<str:code>/mau.xlsx", views.template_file, name="template"),
    path("ky/<int:pk>/don-vi/<str:code>/excel/", views.report_file, name="report_file"),
    path("ky/<int:pk>/don-vi/<str:code>/phien-ban/<int:number>/", views.version_page, name="version"),
    path("ky/<int:pk>/don-vi/<str:code>/<str:action>/", views.decide, name="decide"),
]
