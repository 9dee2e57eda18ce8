from django.urls import path

from motcua.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chi-so/<str:code>/", views.indicator, name="indicator"),
]
