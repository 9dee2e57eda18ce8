from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"
