"""The operators' screen of the outbox (included under /can-bo/ in motcua/urls.py)."""

from django.urls import path

from motcua.integrations import views

app_name = "integrations"
urlpatterns = [
    path("he-thong/thong-diep/", views.messages_page, name="messages"),
    path("he-thong/thong-diep/gui-lai/", views.replay_view, name="replay"),
]
