from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = "Thanh toán phí, lệ phí"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.core import demodata

        demodata.register(
            demodata.DemoStep(
                "payments",
                170,
                "motcua.payments.demo.load_payment_demo",
                "Tạo hồ sơ chờ người dân nộp phí trực tuyến…",
            )
        )
