from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "motcua.staff"
    label = "staff"
    verbose_name = "Không gian làm việc của cán bộ"
