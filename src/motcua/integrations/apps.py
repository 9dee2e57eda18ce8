from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    label = "integrations"
    verbose_name = "Kết nối hệ thống khác"

    def ready(self) -> None:
        from motcua.core import loops
        from motcua.integrations import delivery

        loops.register(
            loops.Loop(
                "outbox",
                delivery.run_forever,
                "Gửi hàng đợi thông điệp tới Cổng DVCQG, hệ thống báo cáo… ngay khi có, thử lại khi lỗi.",
            )
        )
