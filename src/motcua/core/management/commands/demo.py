import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
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
        parser.add_argument(
            "--dvcqg-port",
            type=int,
            default=8091,
            help="Cổng của Cổng DVCQG mô phỏng chạy kèm (mặc định 8091).",
        )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", verbosity=options["verbosity"])
        if options["no_serve"]:
            return
        # The national public service portal's simulator runs beside the server (unless a real
        # portal is configured): the worker delivers every dossier's messages to it.
        portal = None
        if not settings.DVCQG_ENDPOINT:
            portal = self._portal(options["host"], options["dvcqg_port"])
        worker = subprocess.Popen([sys.executable, "-m", "motcua", "worker"])
        try:
            serve = {"host": options["host"], "port": options["port"]}
            if not os.environ.get("MOTCUA_WEB_WORKERS", "").strip():
                serve["workers"] = DEMO_WEB_WORKERS
            call_command("serve", **serve)
        finally:
            for process in (worker, portal):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)

    def _portal(self, host: str, port: int) -> subprocess.Popen[bytes]:
        store = Path(settings.VAR_DIR) / "dvcqg-simulator.jsonl"
        command = [sys.executable, "-m", "motcua", "integrations", "simulator", "dvcqg"]
        command += ["--host", host, "--port", str(port), "--store", str(store)]
        portal = subprocess.Popen(command)  # noqa: S603 — our own command
        endpoint = f"http://{host}:{port}"
        # The simulator's demo account; the worker and the web processes read these from the environment.
        account = {"DVCQG_ENDPOINT": endpoint, "DVCQG_USERNAME": "motcua", "DVCQG_PASSWORD": "motcua"}
        os.environ.update(account)
        for name, value in account.items():
            setattr(settings, name, value)
        self.stderr.write(f"Cổng DVCQG mô phỏng: {endpoint}/_simulator/state (lưu tại {store})")
        return portal
