from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "motcua.exports"
    verbose_name = "Xuất dữ liệu"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each app registers its export kinds in its own ``exports`` module; import them here so
        # the registry is complete in every process (web, worker, tests).
        from motcua.exports import kinds  # noqa: F401
