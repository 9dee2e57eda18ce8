"""Staff pages of the reconciliation with the national portal (included under /can-bo/ in motcua/urls.py)."""

from django.urls import path

from motcua.evaluation import views_sync

app_name = "sync"
urlpatterns = [
    path("dong-bo/", views_sync.sync_page, name="page"),
    path("dong-bo/gui-lai/", views_sync.resend_view, name="resend"),
]
