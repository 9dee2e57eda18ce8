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


def _use(account: dict[str, str]) -> None:
    """Point this process (the web server it starts) and the worker (the environment it inherits) at a
    simulator's address and account."""
    os.environ.update(account)
    for name, value in account.items():
        setattr(settings, name, value)


class Command(BaseCommand):
    help = "Chuẩn bị và chạy bản trình diễn: migrate, nạp dữ liệu Hải Phòng, chạy web và tiến trình nền."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Chỉ chuẩn bị dữ liệu, không chạy máy chủ."
        )
        parser.add_argument(
            "--phone-port",
            type=int,
            default=8027,
            help="Cổng của nhà cung cấp tin Zalo, SMS mô phỏng (8027).",
        )
        parser.add_argument(
            "--paygate-port",
            type=int,
            default=8094,
            help="Cổng của cổng thanh toán mô phỏng (mặc định 8094).",
        )
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=8025,
            help="Cổng SMTP của máy chủ thư mô phỏng chạy kèm; hộp thư web ở cổng kế tiếp (mặc định 8025).",
        )
        parser.add_argument(
            "--vneid-port",
            type=int,
            default=8095,
            help="Cổng của hệ thống định danh điện tử (VNeID) mô phỏng chạy kèm (mặc định 8095).",
        )
        parser.add_argument(
            "--population-port",
            type=int,
            default=8096,
            help="Cổng của Cơ sở dữ liệu quốc gia về dân cư mô phỏng chạy kèm (mặc định 8096).",
        )
        parser.add_argument(
            "--dvcqg-port",
            type=int,
            default=8092,
            help="Cổng của Cổng DVCQG mô phỏng chạy kèm (mặc định 8092).",
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
        # A local mail server with a web inbox receives the applicants' status notices and the staff's
        # digests (unless real mail is configured).
        mail = None
        if not os.environ.get("MOTCUA_EMAIL") and not os.environ.get("SMTP_HOST"):
            mail = self._mail(options["host"], options["smtp_port"])
        phones = None
        if not settings.SMS_ENDPOINT and not settings.ZALO_ZNS_ENDPOINT:
            phones = self._phones(options["host"], options["phone_port"])
        gateway = None
        if not settings.PAYMENT_GATEWAY_URL:
            gateway = self._gateway(options["host"], options["port"], options["paygate_port"])
        # Citizens sign in through a local identity provider standing for VNeID, and their records are
        # looked up in a local population registry (unless real ones are configured).
        identity = None
        if not settings.MOTCUA_OIDC_ISSUER:
            identity = self._identity(options["host"], options["port"], options["vneid_port"])
        population = None
        if not settings.MOTCUA_POPULATION_URL:
            population = self._population(options["host"], options["population_port"])
        worker = subprocess.Popen([sys.executable, "-m", "motcua", "worker"])
        try:
            serve = {"host": options["host"], "port": options["port"]}
            if not os.environ.get("MOTCUA_WEB_WORKERS", "").strip():
                serve["workers"] = DEMO_WEB_WORKERS
            call_command("serve", **serve)
        finally:
            for process in (worker, portal, mail, gateway, phones, identity, population):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)

    def _phones(self, host: str, port: int) -> subprocess.Popen[bytes]:
        store = Path(settings.VAR_DIR) / "phone-simulator.jsonl"
        command = [sys.executable, "-m", "motcua", "integrations", "simulator", "phone", "--host", host]
        command += ["--port", str(port), "--token", "motcua-demo", "--store", str(store)]
        phones = subprocess.Popen(command)  # noqa: S603 — our own command
        base = f"http://{host}:{port}"
        account = {
            "SMS_ENDPOINT": f"{base}/sms",
            "SMS_TOKEN": "motcua-demo",
            "ZALO_ZNS_ENDPOINT": f"{base}/zns",
            "ZALO_ACCESS_TOKEN": "motcua-demo",
            "ZALO_TEMPLATE_ID": "256001",
        }
        _use(account)
        os.environ["MOTCUA_NOTIFY_CHANNELS"] = "email,sms,zalo"
        settings.MOTCUA_NOTIFY_CHANNELS = ["email", "sms", "zalo"]
        self.stderr.write(f"Tin nhắn Zalo, SMS mô phỏng: {base}/")
        return phones

    def _gateway(self, host: str, web_port: int, port: int) -> subprocess.Popen[bytes]:
        store = Path(settings.VAR_DIR) / "paygate-simulator.jsonl"
        secret = "motcua-demo-paygate-secret"  # noqa: S105 — the simulator's demo merchant
        command = [sys.executable, "-m", "motcua", "integrations", "simulator", "paygate", "--host", host]
        command += ["--port", str(port), "--merchant", "MOTCUA01", "--secret", secret, "--store", str(store)]
        command += ["--ipn-url", f"http://{host}:{web_port}/thanh-toan/thong-bao/"]
        gateway = subprocess.Popen(command)  # noqa: S603 — our own command
        base = f"http://{host}:{port}"
        account = {
            "PAYMENT_GATEWAY_URL": f"{base}/paymentv2/vpcpay.html",
            "PAYMENT_QUERY_URL": f"{base}/merchant_webapi/api/transaction",
            "PAYMENT_MERCHANT": "MOTCUA01",
            "PAYMENT_SECRET": secret,
        }
        _use(account)
        self.stderr.write(f"Cổng thanh toán mô phỏng: {base}/_simulator/state")
        return gateway

    def _identity(self, host: str, web_port: int, port: int) -> subprocess.Popen[bytes]:
        key = Path(settings.VAR_DIR) / "vneid-simulator-key.pem"  # kept: signed tokens stay verifiable
        secret = "motcua-demo-vneid-secret"  # noqa: S105 — the simulator's demo client
        issuer = f"http://{host}:{port}"
        command = [sys.executable, "-m", "motcua", "integrations", "simulator", "vneid", "--host", host]
        command += ["--port", str(port), "--issuer", issuer, "--key-file", str(key)]
        command += ["--client-id", "motcua-demo", "--client-secret", secret]
        # Redirect URIs: anything under the demo's own address (as typed, or as localhost).
        command += ["--redirect-prefix", f"http://{host}:{web_port}/"]
        if host == "127.0.0.1":
            command += ["--redirect-prefix", f"http://localhost:{web_port}/"]
        identity = subprocess.Popen(command)  # noqa: S603 — our own command
        _use(
            {
                "MOTCUA_OIDC_ISSUER": issuer,
                "MOTCUA_OIDC_CLIENT_ID": "motcua-demo",
                "MOTCUA_OIDC_CLIENT_SECRET": secret,
            }
        )
        self.stderr.write(f"Định danh điện tử (VNeID) mô phỏng: {issuer}/.well-known/openid-configuration")
        return identity

    def _population(self, host: str, port: int) -> subprocess.Popen[bytes]:
        key = "motcua-demo-population-key"
        command = [sys.executable, "-m", "motcua", "integrations", "simulator", "population"]
        command += ["--host", host, "--port", str(port), "--key", key]
        population = subprocess.Popen(command)  # noqa: S603 — our own command
        url = f"http://{host}:{port}/tra-cuu-cong-dan"
        _use({"MOTCUA_POPULATION_URL": url, "MOTCUA_POPULATION_KEY": key})
        self.stderr.write(f"Cơ sở dữ liệu quốc gia về dân cư mô phỏng: {url}")
        return population

    def _mail(self, host: str, port: int) -> subprocess.Popen[bytes]:
        store = Path(settings.VAR_DIR) / "mail-simulator.jsonl"
        command = [sys.executable, "-m", "motcua", "integrations", "simulator", "smtp"]
        command += ["--host", host, "--port", str(port), "--http-port", str(port + 1), "--store", str(store)]
        mail = subprocess.Popen(command)  # noqa: S603 — our own command
        # The worker reads these from the environment (settings.MAILERS is built from them).
        os.environ.update(MOTCUA_EMAIL="smtp", SMTP_HOST=host, SMTP_PORT=str(port))
        self.stderr.write(f"Hộp thư mô phỏng: http://{host}:{port + 1}/ (SMTP {host}:{port})")
        return mail

    def _portal(self, host: str, port: int) -> subprocess.Popen[bytes]:
        store = Path(settings.VAR_DIR) / "dvcqg-simulator.jsonl"
        command = [sys.executable, "-m", "motcua", "integrations", "simulator", "dvcqg"]
        command += ["--host", host, "--port", str(port), "--store", str(store)]
        incoming = Path(settings.MOTCUA_DVCQG_INCOMING)  # written by the demo load
        if incoming.exists():
            command += ["--incoming", str(incoming)]
        portal = subprocess.Popen(command)  # noqa: S603 — our own command
        endpoint = f"http://{host}:{port}"
        # The simulator's demo account; the worker and the web processes read these from the environment.
        account = {"DVCQG_ENDPOINT": endpoint, "DVCQG_USERNAME": "motcua", "DVCQG_PASSWORD": "motcua"}
        _use(account)
        self.stderr.write(f"Cổng DVCQG mô phỏng: {endpoint}/_simulator/state (lưu tại {store})")
        return portal
