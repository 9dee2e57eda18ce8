from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy tiến trình xử lý nền (django.tasks, backend cơ sở dữ liệu) — run the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Xử lý hết việc đang chờ rồi thoát.")

    def handle(self, *args, **options):
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", *extra, verbosity=options["verbosity"])
