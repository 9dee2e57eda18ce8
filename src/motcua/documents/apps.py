from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    verbose_name = "Giấy tờ, biểu mẫu"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The form set in force on a day (TT 01/2018, then the set the province switches to) is a
        # versioned rule of ``core.rules``.
        from motcua.core.rules import register
        from motcua.documents.rules import RULES

        register(*RULES)
        # TT 01/2018 Mẫu 06, the register of dossiers, as an export kind (``exports.registry``).
        from motcua.documents import register as _register  # noqa: F401
