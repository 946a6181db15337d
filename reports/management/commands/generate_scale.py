"""Synthetic national-size data for benchmarks: an organisation tree, cycles, reports, figures.

Everything is written in bulk (bulk_create in batches; on PostgreSQL the wide child
tables go through COPY), never through the services, which would take hours at 50,000
organisations. The rows still look like what the services write: one section per task the
organisation reports on and one figure per indicator of those tasks; a non-draft report
always has first/last submission times; figures obey the plan's validation rules; a
returned report carries its RETURNED event with the reviewer's comment; every report is
addressed to the committee it reports to (tasks.lines), and the running totals are kept
per addressee.

Choices (see docs/performance.md):
- The reporting cascade at national size, as a real tree with codes `SC-…` so it never
  collides with real data. A plan is issued by one province, and only its reporting tree
  (the plan's top committee and what lies below it) takes part in its cascade; so the
  national-size tree is modelled *below the plan's top committee*: about 34 first-level
  committees (affiliated committees, standing for the 34 provinces' level), each with
  about 100 commune committees, each with about 16 grassroots organisations. ``--orgs N``
  is the number of grassroots organisations; communes hold ``--grassroots-per`` of them
  and are spread evenly over ``--provinces`` first-level committees (fewer when the tree
  is small, so each keeps a few communes). A few grassroots start late or close early,
  so "expected" differs from "all"; committees stay open, so the tree stays whole.
- Each report goes to the organisation's parent, the committee it reports to
  (``tasks.lines.target_of``: every parent here is a committee). On-time and late
  submissions are decided against the organisation's own due date
  (``cycle.due_on_for(kind)``: grassroots are due 15 days before their committees).
- Cycles run from (this year - years + 1) to this year, due on 15 December; past cycles
  are closed, this year's is open. Existing cycles of those years are reused.
- Submission events with snapshots are not generated (a report's "changes since the last
  submission" panel stays empty for synthetic reports), and a committee's figures are not
  derived from its children's (each level's are drawn on their own).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from organisations.models import Organisation, OrganisationKind
from reports.figures import tallies
from reports.models import (
    AnnualReport,
    CycleStatus,
    EventKind,
    IndicatorValue,
    Level,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    TaskSection,
    end_of_day,
)
from tasks.lines import top_node
from tasks.models import Plan, ValueType
from tasks.selectors import scopes_of

PREFIX = "SC-"
CHUNK = 2000  # organisations per write batch: bounded memory at any size
# The tree's levels, top down: the first level stands for the provinces' level.
FIRST_LEVEL = OrganisationKind.AFFILIATED_COMMITTEE
COMMUNE = OrganisationKind.COMMUNE_COMMITTEE
GRASSROOTS = OrganisationKind.GRASSROOTS
TREE_KINDS = (FIRST_LEVEL, COMMUNE, GRASSROOTS)
PROVINCES = 34  # first-level committees at national size
GRASSROOTS_PER_COMMUNE = 16
MIN_COMMUNES_PER_PROVINCE = 4  # a small tree keeps fewer first-level committees

# Shares of outcomes. "missing" means no report row at all.
PAST_PROFILE = {"accepted": 0.80, "submitted": 0.03, "returned": 0.02, "draft": 0.04}
CURRENT_PROFILE = {"accepted": 0.15, "submitted": 0.25, "returned": 0.05, "draft": 0.35}
ON_TIME_SHARE = 0.8

PLACES = (  # noqa: SIM905 - one line of names reads better than a list of 32
    "An Phú Bình Hòa Tân Long Mỹ Thạnh Phước Lộc Hưng Thới Trung Đông Tây Nam Bắc"
    " Hiệp Thuận Lợi Vĩnh Khánh Định Hậu Giang Sơn Cẩm Lương Hải Châu Kim Ngọc"
).split()
RESULTS = (
    "Tổ chức {n} hội nghị quán triệt, triển khai đến toàn thể cán bộ, đảng viên.",
    "Ban hành kế hoạch thực hiện, phân công cụ thể cho các chi bộ trực thuộc.",
    "Đã kiểm tra {n} chi bộ; kịp thời chấn chỉnh những thiếu sót.",
    "Tỷ lệ đảng viên tham gia sinh hoạt đạt trên {n}0%.",
    "Phối hợp với Mặt trận và các đoàn thể tổ chức {n} buổi đối thoại với nhân dân.",
)
LIMITATIONS = (
    "Chất lượng sinh hoạt chi bộ ở một số nơi chưa cao.",
    "Việc báo cáo còn chậm so với yêu cầu.",
    "Một số đảng viên lớn tuổi chưa tham gia đầy đủ.",
)
CAUSES = (
    "Một số cấp ủy chưa quan tâm đúng mức.",
    "Địa bàn rộng, đi lại khó khăn.",
    "Cán bộ làm công tác đảng còn kiêm nhiệm nhiều việc.",
)
NEXT_STEPS = (
    "Tiếp tục nâng cao chất lượng sinh hoạt chi bộ.",
    "Tăng cường kiểm tra, giám sát việc thực hiện.",
    "Đẩy mạnh ứng dụng công nghệ thông tin trong công tác đảng.",
)
LEVELS = [Level.GOOD, Level.FAIR, Level.AVERAGE, Level.POOR]
LEVEL_WEIGHTS = [45, 35, 15, 5]


def _figure_templates(rng: random.Random, indicators, rules, count: int = 64) -> list[dict]:
    """Sets of figures that satisfy every rule; scaled copies satisfy them too (every
    rule compares sums, so multiplying every figure by k > 0 keeps it)."""
    templates = []
    for _ in range(count):
        figures = {
            i.code: Decimal(rng.randint(0, 100 if i.value_type == ValueType.PERCENT else 40))
            for i in indicators
        }
        for _attempt in range(30):
            broken = [r for r in rules if r.holds(figures) is False]
            if not broken:
                break
            for rule in broken:
                left = sum(figures[c] for c in rule.parts)
                right = sum(figures[c] for c in rule.whole)
                if rule.operator in ("lte", "lt"):
                    figures[rule.whole[0]] += left - right + (1 if rule.operator == "lt" else 0)
                elif rule.operator in ("gte", "gt"):
                    figures[rule.parts[0]] += right - left + (1 if rule.operator == "gt" else 0)
                else:
                    figures[rule.whole[0]] += left - right
        else:
            continue
        templates.append(figures)
    if not templates:
        raise CommandError("Không tạo được bộ số liệu thỏa các quy tắc kiểm tra của kế hoạch.")
    return templates


def _rest(profile: dict[str, float]) -> float:
    """The share of organisations that have no report at all."""
    return 1 - sum(profile.values())


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Write rows fast: COPY on PostgreSQL, bulk_create elsewhere (tests on SQLite)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_text(v) for v in row))
            buffer.write("\n")
        buffer.seek(0)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
        return
    model.objects.bulk_create(
        (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=2000
    )


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu giả lập quy mô lớn (tổ chức, kỳ báo cáo, báo cáo, số liệu) để đo hiệu"
        " năng. Không bao giờ chạy ở môi trường thật."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orgs", type=int, required=True, help="số tổ chức cơ sở đảng (cấp dưới cùng)"
        )
        parser.add_argument(
            "--provinces",
            type=int,
            default=PROVINCES,
            help=f"số đảng bộ cấp 1 (mặc định {PROVINCES}, ít hơn khi cây nhỏ)",
        )
        parser.add_argument(
            "--grassroots-per",
            type=int,
            default=GRASSROOTS_PER_COMMUNE,
            help=f"số tổ chức cơ sở đảng mỗi đảng ủy xã (mặc định {GRASSROOTS_PER_COMMUNE})",
        )
        parser.add_argument("--years", type=int, default=5, help="số năm (kỳ báo cáo)")
        parser.add_argument("--seed", type=int, default=112, help="hạt giống ngẫu nhiên")
        parser.add_argument("--plan", default="112-KH-TU", help="mã kế hoạch đã nạp")

    def handle(
        self,
        *args,
        orgs: int,
        years: int,
        seed: int,
        plan: str,
        provinces: int = PROVINCES,
        grassroots_per: int = GRASSROOTS_PER_COMMUNE,
        **options,
    ):
        if settings.PRODUCTION:
            raise CommandError(
                "Không tạo dữ liệu giả lập khi PLAN112_ENV=production"
                " (synthetic data is never generated in production)."
            )
        if min(orgs, years, provinces, grassroots_per) < 1:
            raise CommandError("--orgs, --years, --provinces và --grassroots-per phải lớn hơn 0.")
        the_plan = Plan.objects.filter(code=plan).select_related("issuer").first()
        if the_plan is None:
            raise CommandError(f"Chưa nạp kế hoạch {plan} (manage.py load_plan …).")
        if Organisation.objects.filter(code__startswith=PREFIX).exists():
            raise CommandError(
                f"Đã có dữ liệu giả lập (tổ chức mã {PREFIX}…) trong cơ sở dữ liệu này;"
                " không tạo thêm. Dùng một cơ sở dữ liệu mới (already generated)."
            )
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.started = time.monotonic()
        self.plan = the_plan
        self.now = timezone.now()
        tasks = list(the_plan.tasks.order_by("number").prefetch_related("indicators"))
        scopes = scopes_of(the_plan)
        self.tasks_by_kind = {}
        for kind in TREE_KINDS:
            probe = Organisation(kind=kind)
            self.tasks_by_kind[kind] = [
                t for t in tasks if any(s.task_id == t.pk and s.selects(probe) for s in scopes)
            ]
        if not all(self.tasks_by_kind.values()):
            raise CommandError(
                "Phạm vi báo cáo của kế hoạch phải gồm đảng ủy trực thuộc, đảng ủy xã và tổ"
                " chức cơ sở đảng."
            )
        indicators = [i for t in tasks for i in t.indicators.all()]
        self.templates = _figure_templates(self.rng, indicators, list(the_plan.rules.all()))
        self.scalable = not any(i.value_type == ValueType.PERCENT for i in indicators)

        organisations = self._organisations(
            orgs, top_node(the_plan).organisation, provinces, grassroots_per
        )
        this_year = timezone.localdate().year
        totals = {"reports": 0, "sections": 0, "values": 0}
        for year in range(this_year - years + 1, this_year + 1):
            cycle = self._cycle(year, current=year == this_year)
            counts = self._cycle_reports(cycle, organisations)
            for key in totals:
                totals[key] += counts[key]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._say(
            f"Xong: {len(organisations)} tổ chức, {years} kỳ, {totals['reports']} báo cáo,"
            f" {totals['sections']} phần, {totals['values']} số liệu"
            f" trong {time.monotonic() - self.started:.1f} giây."
        )

    def _say(self, text: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f}s] {text}")

    def _organisations(
        self, count: int, top: Organisation, provinces: int, grassroots_per: int
    ) -> list[tuple]:
        """The tree under ``top``, level by level: (pk, kind, valid_from, valid_to,
        parent pk) for every organisation, committees first."""
        communes = -(-count // grassroots_per)
        provinces = max(1, min(provinces, communes // MIN_COMMUNES_PER_PROVINCE))
        result: list[tuple] = []
        with transaction.atomic():
            first = self._level(
                FIRST_LEVEL,
                [top.pk] * provinces,
                lambda i: f"Đảng bộ cấp 1 mô phỏng {i:02d}",
            )
            # Communes spread evenly: the first level's i-th committee gets every
            # provinces-th commune, so sizes differ by one at most.
            commune_parents = [first[i % provinces][0] for i in range(communes)]
            middle = self._level(
                COMMUNE,
                commune_parents,
                lambda i: f"Đảng ủy xã {self._place()} mô phỏng {i:04d}",
            )
            grassroots_parents = [middle[i // grassroots_per][0] for i in range(count)]
            bottom = self._level(
                GRASSROOTS,
                grassroots_parents,
                lambda i: f"Đảng bộ cơ sở {self._place()} mô phỏng {i:05d}",
                closing=True,
            )
            result = first + middle + bottom
        self._say(
            f"{len(result)} tổ chức đã tạo: {len(first)} đảng bộ cấp 1, {len(middle)} đảng"
            f" ủy xã, {len(bottom)} tổ chức cơ sở đảng."
        )
        return result

    def _place(self) -> str:
        return f"{self.rng.choice(PLACES)} {self.rng.choice(PLACES)}"

    def _level(self, kind: str, parents: list[int], name, *, closing: bool = False) -> list:
        """One level of the tree, its i-th organisation under parents[i - 1]. With
        ``closing``, a few were founded recently or closed some years ago."""
        rng = self.rng
        this_year = timezone.localdate().year
        letter = {FIRST_LEVEL: "P", COMMUNE: "X", GRASSROOTS: "C"}[kind]
        result = []
        for start in range(0, len(parents), 5000):
            batch = []
            for i in range(start + 1, min(len(parents), start + 5000) + 1):
                valid_from = valid_to = None
                roll = rng.random() if closing else 1.0
                if roll < 0.02:  # founded recently
                    valid_from = dt.date(this_year - rng.randint(0, 3), 1, 1)
                elif roll < 0.03:  # merged away some years ago
                    valid_to = dt.date(this_year - rng.randint(1, 4), 6, 30)
                title = name(i)
                batch.append(
                    Organisation(
                        code=f"{PREFIX}{letter}{i:06d}",
                        name=title,
                        short_name=title[:100],
                        kind=kind,
                        parent_id=parents[i - 1],
                        valid_from=valid_from,
                        valid_to=valid_to,
                    )
                )
            created = Organisation.objects.bulk_create(batch)
            if created and created[0].pk is None:  # a backend that does not return ids
                ids = dict(
                    Organisation.objects.filter(code__in=[o.code for o in created]).values_list(
                        "code", "pk"
                    )
                )
                for o in created:
                    o.pk = ids[o.code]
            result.extend((o.pk, o.kind, o.valid_from, o.valid_to, o.parent_id) for o in created)
        return result

    def _cycle(self, year: int, *, current: bool) -> ReportingCycle:
        due = dt.date(year, 12, 15)
        cycle, created = ReportingCycle.objects.get_or_create(
            plan=self.plan,
            year=year,
            defaults={
                "period_start": dt.date(year, 1, 1),
                "period_end": dt.date(year, 12, 31),
                "opens_on": dt.date(year, 10, 1),
                "due_on": due,
                "closes_on": due + dt.timedelta(days=60),
                "reminder_offsets": [-14, -7, -3, -1, 1, 7, 14],
                "status": CycleStatus.OPEN if current else CycleStatus.CLOSED,
                "closed_at": None if current else end_of_day(due + dt.timedelta(days=60)),
            },
        )
        self._say(f"Kỳ {year}: {'tạo mới' if created else 'đã có, dùng lại'}.")
        return cycle

    def _moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        if end <= start:
            return start
        return start + (end - start) * self.rng.random()

    def _cycle_reports(self, cycle: ReportingCycle, organisations: list[tuple]) -> dict:
        rng = self.rng
        deadlines = {kind: cycle.deadline_for(kind) for kind in TREE_KINDS}
        opens = end_of_day(cycle.opens_on - dt.timedelta(days=1))
        counts = {"reports": 0, "sections": 0, "values": 0}
        indicator_ids = {
            t.pk: [(i.pk, i.code) for i in t.indicators.all()]
            for tasks in self.tasks_by_kind.values()
            for t in tasks
        }
        for start in range(0, len(organisations), CHUNK):
            reports, plans = [], []
            for pk, kind, valid_from, valid_to, parent in organisations[start : start + CHUNK]:
                if (valid_from and valid_from > cycle.period_end) or (
                    valid_to and valid_to < cycle.period_start
                ):
                    continue  # not expected: no report
                # Each level's own due date: grassroots may be past theirs while their
                # committees are not yet.
                deadline = deadlines[kind]
                before_due = deadline >= self.now
                profile = CURRENT_PROFILE if before_due else PAST_PROFILE
                outcome = rng.choices([*profile, "missing"], [*profile.values(), _rest(profile)])[0]
                if outcome == "missing" or not self.tasks_by_kind.get(kind):
                    continue
                report = AnnualReport(
                    cycle=cycle, organisation_id=pk, reports_to_id=parent, status=outcome
                )
                if outcome == ReportStatus.DRAFT:
                    report.version = rng.randint(2, 6)
                    report.last_saved_at = self._moment(opens, min(self.now, deadline))
                else:
                    if before_due:
                        first = self._moment(max(opens, self.now - dt.timedelta(days=40)), self.now)
                    elif rng.random() < ON_TIME_SHARE:
                        first = self._moment(deadline - dt.timedelta(days=45), deadline)
                    else:
                        late_end = min(self.now, deadline + dt.timedelta(days=50))
                        first = self._moment(deadline + dt.timedelta(minutes=1), late_end)
                    last = first
                    if (
                        outcome in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
                        and rng.random() < 0.1
                    ):
                        last = self._moment(first, min(self.now, first + dt.timedelta(days=20)))
                    report.first_submitted_at, report.last_submitted_at = first, last
                    report.last_saved_at = last
                    report.submission_count = 1 if last == first else 2
                    report.version = 2 + 2 * report.submission_count
                    if outcome == ReportStatus.ACCEPTED:
                        report.accepted_at = self._moment(
                            last, min(self.now, last + dt.timedelta(days=20))
                        )
                        report.version += 1
                    elif outcome == ReportStatus.RETURNED:
                        report.version += 1
                    report.signer_name = "Nguyễn Văn A"
                    report.signer_position = "Bí thư"
                report.overall_assessment = "Đảng bộ đã triển khai nghiêm túc kế hoạch."
                reports.append(report)
                plans.append(kind)
            with transaction.atomic():
                created = AnnualReport.objects.bulk_create(reports)
                sections, values, events = [], [], []
                for report, kind in zip(created, plans, strict=True):
                    draft = report.status == ReportStatus.DRAFT
                    figures = rng.choice(self.templates)
                    factor = rng.randint(1, 4) if self.scalable else 1
                    for task in self.tasks_by_kind[kind]:
                        filled = not draft or rng.random() < 0.6
                        sections.append((
                            report.pk, task.pk,
                            rng.choice(RESULTS).format(n=rng.randint(2, 9)) if filled else "",
                            rng.choice(LIMITATIONS) if filled else "",
                            rng.choice(CAUSES) if filled else "",
                            rng.choice(NEXT_STEPS) if filled else "",
                            rng.choices(LEVELS, LEVEL_WEIGHTS)[0] if filled else "",
                        ))  # fmt: skip
                        for indicator_id, code in indicator_ids[task.pk]:
                            value = figures[code] * factor if filled else None
                            values.append((report.pk, indicator_id, value))
                    if report.status == ReportStatus.RETURNED:
                        events.append(
                            ReportEvent(
                                report=report,
                                kind=EventKind.RETURNED,
                                version=report.version,
                                at=self._moment(report.last_submitted_at, self.now),
                                comment="Đề nghị bổ sung số liệu nhiệm vụ 3 và ký, đóng dấu.",
                            )
                        )
                section_columns = ["report_id", "task_id", "results", "limitations", "causes"]
                _insert(TaskSection, [*section_columns, "next_steps", "level"], sections)
                _insert(IndicatorValue, ["report_id", "indicator_id", "value"], values)
                ReportEvent.objects.bulk_create(events)
            counts["reports"] += len(created)
            counts["sections"] += len(sections)
            counts["values"] += len(values)
        tallies.rebuild(cycle)  # written in bulk, around the services: totals from scratch
        self._say(f"Kỳ {cycle.year}: {counts['reports']} báo cáo, tổng số liệu đã tính.")
        return counts
