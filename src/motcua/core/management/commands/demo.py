import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


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
            call_command("serve", host=options["host"], port=options["port"])
        finally:
            worker.terminate()
            worker.wait(timeout=10)
