from django.apps import AppConfig


class OnlineConfig(AppConfig):
    name = "motcua.online"
    verbose_name = "Nộp hồ sơ trực tuyến"
    default_auto_field = "django.db.models.BigAutoField"
