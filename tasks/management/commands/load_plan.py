from django.core.management.base import BaseCommand, CommandError

from plan112.datafiles import DataFileError
from tasks.loaders import plan_load


class Command(BaseCommand):
    help = "Nạp hoặc cập nhật một kế hoạch từ tệp YAML (chạy lại nhiều lần vẫn an toàn)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp YAML, ví dụ data/plans/112-KH-TU.yaml")

    def handle(self, *args, path: str, **options):
        try:
            plan, stats = plan_load(path=path)
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 1:
            for line in stats.details:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{path}: {plan.number}: {stats.summary()}"))
