from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Tổ chức, tài khoản và nhật ký"

    def ready(self) -> None:
        from motcua.core import refcache
        from motcua.core.audit import connect_signals

        connect_signals()
        refcache.connect_signals()
