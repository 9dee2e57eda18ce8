from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.demo.loader import load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn: Hải Phòng sau hợp nhất, cán bộ, lịch và thủ tục (chạy lại không đổi gì)."

    def handle(self, *args, **options):
        try:
            load_demo(verbose=options["verbosity"] > 0)
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.details or ''}") from exc
