from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "motcua.reporting"
    label = "reporting"
    verbose_name = "Chế độ báo cáo (NĐ 09/2019)"
    default_auto_field = "django.db.models.BigAutoField"
