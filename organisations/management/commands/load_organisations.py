from django.core.management.base import BaseCommand, CommandError

from organisations.loaders import organisations_load
from plan112.datafiles import DataFileError


class Command(BaseCommand):
    help = "Nạp hoặc cập nhật danh sách tổ chức từ tệp YAML (chạy lại nhiều lần vẫn an toàn)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp YAML, ví dụ data/organisations/tra-vinh.yaml")

    def handle(self, *args, path: str, **options):
        try:
            stats = organisations_load(path=path)
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 1:
            for line in stats.details:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{path}: {stats.summary()}"))
