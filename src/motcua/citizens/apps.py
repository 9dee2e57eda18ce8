from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "motcua.citizens"
    verbose_name = "Tài khoản công dân, tổ chức"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.core import demodata

        demodata.register(
            demodata.DemoStep(
                "citizens",
                180,
                "motcua.citizens.demo.load_citizens_demo",
                "Tạo tài khoản dịch vụ công mẫu và kho dữ liệu của công dân…",
            )
        )
