from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "motcua.directives"
    label = "directives"
    verbose_name = "Theo dõi nhiệm vụ"
    default_auto_field = "django.db.models.BigAutoField"
