from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from organisations.models import OrganisationChange
from reports.demo.accounts import demo_accounts_create, demo_reporter_to_try
from reports.demo.counts import demo_history_summary
from reports.demo.history import demo_history_create

DATA = Path(settings.BASE_DIR) / "data"


class Command(BaseCommand):
    help = "Nạp kế hoạch, tổ chức và tài khoản trình diễn (không bao giờ chạy ở môi trường thật)."

    def _say(self, line: str) -> None:
        # Flushed at once: the history takes most of a minute, and a line per step shows
        # it moving even when the output goes through a pipe (make, a log file).
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "Không tạo tài khoản trình diễn khi PLAN112_ENV=production"
                " (demo accounts are never created in production)."
            )
        # Restructuring files, named by year (2025-vinh-long.yaml), rewrite the history of
        # the base files: the demo history applies them in time order, between the cycles
        # before and after them (reports.demo.history). Once one is applied, loading the
        # base files again would reopen what it closed, so a second run leaves them alone.
        if not OrganisationChange.objects.filter(key__isnull=False).exists():
            for path in sorted((DATA / "organisations").glob("[!0-9]*.yaml")):
                call_command("load_organisations", str(path.relative_to(settings.BASE_DIR)))
        for path in sorted((DATA / "plans").glob("*.yaml")):
            call_command("load_plan", str(path.relative_to(settings.BASE_DIR)))
        accounts = demo_accounts_create(password=settings.DEMO_PASSWORD)
        self._say(f"Tài khoản trình diễn: {len(accounts)}.")
        counts = demo_history_create(progress=self._say)
        summary = demo_history_summary(counts)
        if not counts["created"]:
            summary = summary.removesuffix(".") + " — đã có từ trước, không tạo thêm."
        self.stdout.write(summary)

        # Listed after the history: the accounts as the restructuring left them.
        accounts = demo_accounts_create(password=settings.DEMO_PASSWORD)
        to_try = demo_reporter_to_try()
        width = max(len(a.username) for a in accounts)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Tài khoản trình diễn (demo accounts):"))
        for account in accounts:
            mark = "  ← thử trước: báo cáo năm nay chưa gửi" if account.username == to_try else ""
            self.stdout.write(
                f"  {account.username:<{width}}  {account.role:<18}  {account.organisation}{mark}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Mật khẩu chung (password): {settings.DEMO_PASSWORD}")
        )
