from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy máy chủ web (waitress, WSGI) — serve the web application."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **options):
        from waitress import serve

        from motcua.wsgi import application

        self.stderr.write(
            f"motcua đang chạy tại http://{options['host']}:{options['port']}/ (Ctrl+C để dừng)"
        )
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="motcua",
            # Behind TRUSTED_PROXIES the forwarded headers reach motcua's TrustedProxyMiddleware, which
            # believes them from those proxies only (waitress alone trusts a single address, no ranges).
            clear_untrusted_proxy_headers=not settings.TRUSTED_PROXIES,
        )
