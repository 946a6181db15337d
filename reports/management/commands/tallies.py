"""Check, or rebuild, the running totals the rollup reads (reports.figures.tallies).

    manage.py tallies              # compare every cycle's totals with its reports
    manage.py tallies --rebuild    # recompute them (after a bulk load or a manual repair)
    manage.py tallies --year 2026  # one year only

The check exits with status 1 when a cycle's totals disagree with its reports.
"""

from django.core.management.base import BaseCommand, CommandError

from reports.figures import tallies
from reports.models import ReportingCycle


class Command(BaseCommand):
    help = "Kiểm tra (hoặc tính lại) tổng số liệu của các kỳ báo cáo."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="tính lại từ các báo cáo")
        parser.add_argument("--year", type=int, help="chỉ kỳ của năm này")

    def handle(self, *args, rebuild: bool, year: int | None, **options):
        cycles = ReportingCycle.objects.select_related("plan").order_by("plan__code", "year")
        if year is not None:
            cycles = cycles.filter(year=year)
        wrong = 0
        for cycle in cycles:
            name = f"{cycle.plan.code} năm {cycle.year}"
            if rebuild:
                tallies.rebuild(cycle)
                self.stdout.write(f"{name}: đã tính lại.")
                continue
            problems = tallies.differences(cycle)
            if problems:
                wrong += 1
                self.stdout.write(f"{name}: {len(problems)} chỗ sai lệch")
                for problem in problems[:20]:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(f"{name}: khớp.")
        if wrong:
            raise CommandError(
                f"{wrong} kỳ có tổng số liệu sai lệch; chạy lại với --rebuild để tính lại."
            )
