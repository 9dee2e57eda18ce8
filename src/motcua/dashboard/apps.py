from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "motcua.dashboard"
    label = "dashboard"
    verbose_name = "Bộ chỉ số điều hành"
    default_auto_field = "django.db.models.BigAutoField"
