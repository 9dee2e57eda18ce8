from django.urls import path

from motcua.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.board, name="board"),
    path("<slug:code>/", views.indicator_page, name="indicator"),
    path("<slug:code>/nhap/", views.enter, name="enter"),
]
