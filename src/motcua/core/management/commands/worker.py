import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from motcua.core.schedule import enqueue_due

TICK_SECONDS = 30


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý nền (django.tasks, backend cơ sở dữ liệu) và lịch việc định kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Xử lý hết việc đang chờ rồi thoát.")
        parser.add_argument("--no-schedule", action="store_true", help="Không đưa việc định kỳ vào hàng đợi.")

    def handle(self, *args, **options):
        stop = threading.Event()
        if not options["no_schedule"]:
            enqueue_due()
            if not options["batch"]:
                threading.Thread(target=self._tick, args=(stop,), daemon=True, name="motcua-schedule").start()
        extra = ["--batch"] if options["batch"] else []
        try:
            call_command("db_worker", *extra, verbosity=options["verbosity"])
        finally:
            stop.set()

    def _tick(self, stop: threading.Event) -> None:
        while not stop.wait(TICK_SECONDS):
            close_old_connections()
            try:
                enqueue_due()
            except Exception as exc:  # a database hiccup must not kill the scheduler thread
                self.stderr.write(f"Lịch việc định kỳ gặp lỗi, sẽ thử lại: {exc}")
            finally:
                close_old_connections()
