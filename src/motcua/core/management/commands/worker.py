import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string

from motcua.core import leases, loops
from motcua.core.schedule import enqueue_due

TICK_SECONDS = 30


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý nền (django.tasks, backend cơ sở dữ liệu) và lịch việc định kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Xử lý hết việc đang chờ rồi thoát.")
        parser.add_argument("--no-schedule", action="store_true", help="Không đưa việc định kỳ vào hàng đợi.")
        parser.add_argument(
            "--no-loops", action="store_true", help="Không chạy các vòng xử lý liên tục (gửi thông điệp)."
        )

    def handle(self, *args, **options):
        stop = threading.Event()
        # The worker beats before it claims any job, so no other worker mistakes it for a dead one;
        # a job that a dead worker left running is queued again on the same beat (core/leases.py).
        worker_id = f"motcua-{get_random_string(24)}"
        leases.beat(worker_id)
        leases.requeue_stale()
        threading.Thread(
            target=self._beat, args=(stop, worker_id), daemon=True, name="motcua-heartbeat"
        ).start()
        if not options["no_schedule"]:
            enqueue_due()
            if not options["batch"]:
                threading.Thread(target=self._tick, args=(stop,), daemon=True, name="motcua-schedule").start()
        if not options["batch"] and not options["no_loops"]:
            # The outbox's deliveries and other continuous work (core/loops.py), beside the jobs.
            loops.start_all(stop, worker_id)
        extra = ["--batch"] if options["batch"] else []
        try:
            # No autoreload: a reloader parent would outlive a killed child and hide it from the lease.
            call_command(
                "db_worker", *extra, worker_id=worker_id, reload=False, verbosity=options["verbosity"]
            )
        finally:
            stop.set()
            close_old_connections()
            leases.forget(worker_id)

    def _beat(self, stop: threading.Event, worker_id: str) -> None:
        while not stop.wait(leases.beat_interval()):
            close_old_connections()
            try:
                leases.beat(worker_id)
                leases.requeue_stale()
            except Exception as exc:  # a database hiccup must not stop the heartbeat for good
                self.stderr.write(f"Nhịp sống của tiến trình xử lý nền gặp lỗi, sẽ thử lại: {exc}")
            finally:
                close_old_connections()

    def _tick(self, stop: threading.Event) -> None:
        while not stop.wait(TICK_SECONDS):
            close_old_connections()
            try:
                enqueue_due()
            except Exception as exc:  # a database hiccup must not kill the scheduler thread
                self.stderr.write(f"Lịch việc định kỳ gặp lỗi, sẽ thử lại: {exc}")
            finally:
                close_old_connections()
