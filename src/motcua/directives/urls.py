from django.urls import path

from motcua.directives import views

app_name = "directives"
urlpatterns = [
    path("", views.documents, name="documents"),
    path("danh-sach/", views.task_list, name="tasks"),
    path("don-vi/", views.unit_dashboard, name="unit"),
    path("nhap/", views.import_page, name="import"),
    path("doi-chieu/", views.review, name="review"),
    path("van-ban/<int:pk>/", views.document_page, name="document"),
    path("tep/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/", views.task_page, name="task"),
    path("<int:pk>/duyet/<str:kind>/<int:request_id>/", views.decide, name="decide"),
    path("<int:pk>/<str:action>/", views.task_action, name="action"),
]
