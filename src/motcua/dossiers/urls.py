"""Staff screens of the dossiers, included at /can-bo/ho-so/ in motcua/urls.py (before the staff
workspace's own routes). The fixed paths first, then the dossier codes."""

from django.urls import path

from motcua.dossiers.views import actions, boxes, detail, intake

app_name = "dossiers"
urlpatterns = [
    path("", boxes.inbox, name="inbox"),
    path("tim/", boxes.search, name="search"),
    path("menu/", boxes.nav_partial, name="nav"),
    path("so-luong/", boxes.home_counts, name="counts"),
    path("tiep-nhan/", intake.intake, name="intake"),
    path("tiep-nhan/han-tra/", intake.intake_due, name="intake_due"),
    path("tiep-nhan/nguoi-nop/", intake.intake_applicant, name="intake_applicant"),
    path("<str:code>/", detail.dossier_page, name="detail"),
    path("<str:code>/tep/<int:pk>/", detail.component_file, name="file"),
    path("<str:code>/thao-tac/<str:action>/", actions.dossier_action, name="action"),
]
