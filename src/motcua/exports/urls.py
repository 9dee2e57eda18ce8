from django.urls import path

from motcua.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("<int:pk>/", views.export_row, name="row"),
    path("<int:pk>/tai-ve/", views.download, name="download"),
]
