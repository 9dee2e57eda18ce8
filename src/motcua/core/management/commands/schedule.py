from django.core.management.base import BaseCommand

from motcua.core.schedule import JOBS, enqueue_due


class Command(BaseCommand):
    help = "Đưa các việc định kỳ đã đến hạn vào hàng đợi (dùng với cron nếu không chạy `motcua worker`)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="Liệt kê các việc định kỳ.")

    def handle(self, *args, **options):
        if options["list"]:
            for job in JOBS:
                self.stdout.write(f"{job.name}\tmỗi {job.every}\t{job.description}")
            return
        started = enqueue_due()
        self.stderr.write(f"Đã đưa vào hàng đợi: {', '.join(started) or 'không có việc nào đến hạn'}.")
