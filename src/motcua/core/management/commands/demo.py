import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

# The demo serves one visitor or a few, often on a laptop: two web processes whatever the number of
# cores (``MOTCUA_WEB_WORKERS`` still decides when set). The same server as in production, so the demo
# shows what runs there; the background worker is its own process, as in production.
DEMO_WEB_WORKERS = 2


class Command(BaseCommand):
    help = "Chuẩn bị và chạy bản trình diễn: migrate, nạp dữ liệu Hải Phòng, chạy web và tiến trình nền."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Chỉ chuẩn bị dữ liệu, không chạy máy chủ."
        )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", verbosity=options["verbosity"])
        if options["no_serve"]:
            return
        worker = subprocess.Popen([sys.executable, "-m", "motcua", "worker"])
        try:
            serve = {"host": options["host"], "port": options["port"]}
            if not os.environ.get("MOTCUA_WEB_WORKERS", "").strip():
                serve["workers"] = DEMO_WEB_WORKERS
            call_command("serve", **serve)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
