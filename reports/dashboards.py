"""What Ban Tổ chức's dashboard of one cycle and the leaders' provincial rollup show.

Pure reads. Every figure comes from ``reports.figures`` (so the pages, the spreadsheets,
the API and the yearly summary agree); this module only lays the figures out per
organisation, task and year. The dashboard costs a fixed number of queries whatever the
number of organisations; the rollup a fixed number per cycle (cycles are few: one a year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, F, Sum, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.models import Organisation, OrganisationKind
from tasks.models import Indicator, Plan, Task
from tasks.selectors import organisations_in_scope, subplan_expected_organisations

from .content import format_figure
from .figures import (
    CycleFigures,
    IndicatorTotal,
    Totals,
    counted_statuses,
    cycle_figures,
    cycles_figures,
    expected_organisations,
    indicator_totals,
    previous_cycle,
)
from .models import (
    AnnualReport,
    IndicatorValue,
    Level,
    LevelTally,
    Reminder,
    ReminderStatus,
    ReportingCycle,
    ReportStatus,
    SubPlan,
    TaskSection,
)
from .paging import Pager, page_count, paginate
from .selectors import expected_with_report
from .subplans import BADGE_CLASSES, BUCKET_LABELS, Bucket, bucket_summary, with_bucket

# Numbers as people read them --------------------------------------------------------------

MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash in Vietnamese text


def percent_text(value: Decimal | None) -> str:
    """85.7 → "85,7%"."""
    if value is None:
        return ""
    return f"{number_format(value, decimal_pos=1, force_grouping=True)}%"


def signed_figure_text(value: Decimal | None) -> str:
    """A change: "+12", "−3", "0"."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{format_figure(abs(value))}"


def signed_percent_text(value: Decimal | None) -> str:
    """A relative change: "+12,5%", "−3,0%"."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{percent_text(abs(value))}"


def as_number(value: Decimal | None) -> int | float | None:
    """A Decimal for JSON and spreadsheets: integers stay integers."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# The dashboard of one cycle ----------------------------------------------------------------

MISSING = "missing"  # not submitted yet (no report, or a draft never sent): DESIGN §5
NOT_STARTED = "not_started"

STATUS_FILTERS = {
    MISSING: gettext_lazy("Chưa nộp"),
    ReportStatus.DRAFT: ReportStatus.DRAFT.label,
    ReportStatus.SUBMITTED: ReportStatus.SUBMITTED.label,
    ReportStatus.RETURNED: ReportStatus.RETURNED.label,
    ReportStatus.ACCEPTED: ReportStatus.ACCEPTED.label,
}

# The doughnut's slices: every expected organisation falls in exactly one.
STATUS_SLICES = [
    (ReportStatus.ACCEPTED, ReportStatus.ACCEPTED.label, "#198754"),
    (ReportStatus.SUBMITTED, gettext_lazy("Đã gửi, chờ xem xét"), "#0d6efd"),
    (ReportStatus.RETURNED, ReportStatus.RETURNED.label, "#e0a800"),
    (ReportStatus.DRAFT, gettext_lazy("Đang soạn, chưa gửi"), "#6c757d"),
    (NOT_STARTED, gettext_lazy("Chưa bắt đầu"), "#ced4da"),
]

LEVEL_COLOURS = {
    Level.GOOD: "#1a7f4b",
    Level.FAIR: "#74c69d",
    Level.AVERAGE: "#f2c14e",
    Level.POOR: "#d1495b",
}
LEVEL_SHORT = {
    Level.GOOD: gettext_lazy("T"),
    Level.FAIR: gettext_lazy("K"),
    Level.AVERAGE: gettext_lazy("TB"),
    Level.POOR: gettext_lazy("CĐ"),
}


@dataclass(frozen=True)
class LastReminder:
    at: dt.datetime
    status: str

    @property
    def status_label(self) -> str:
        return str(ReminderStatus(self.status).label)


# Labels by value, looked up directly: Django's get_FOO_display hashes every lazy label
# of the choices on each call, which dominated an export of 50,000 rows.
STATUS_LABELS = dict(ReportStatus.choices)
KIND_LABELS = dict(OrganisationKind.choices)


@dataclass
class OrganisationRow:
    """One expected organisation on the dashboard."""

    organisation: Organisation
    report: AnnualReport | None
    deadline: dt.datetime
    today: dt.date
    reminder: LastReminder | None = None

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.first_submitted_at is not None

    @property
    def overdue(self) -> bool:
        """Not submitted and the due day is over."""
        return not self.submitted and self.today > timezone.localtime(self.deadline).date()

    @property
    def late(self) -> bool:
        return self.submitted and self.report.first_submitted_at > self.deadline

    @property
    def state(self) -> str:
        """A key of STATUS_FILTERS other than draft: missing, or the report's status."""
        return self.report.status if self.submitted else MISSING

    @property
    def slice(self) -> str:
        return self.report.status if self.report is not None else NOT_STARTED

    @property
    def first_submitted_on(self) -> dt.date | None:
        if not self.submitted:
            return None
        return timezone.localtime(self.report.first_submitted_at).date()

    @property
    def days_late(self) -> int | None:
        """Days past the due day: of a late submission, or so far for a missing report."""
        due = timezone.localtime(self.deadline).date()
        if self.submitted:
            return (self.first_submitted_on - due).days if self.late else None
        return (self.today - due).days if self.overdue else None

    @property
    def submission_count(self) -> int:
        return self.report.submission_count if self.report is not None else 0

    @property
    def status_label(self) -> str:
        if self.report is None:
            return _("Chưa bắt đầu")
        return str(STATUS_LABELS.get(self.report.status, self.report.status))

    @property
    def timeliness_label(self) -> str:
        if self.submitted:
            return _("Quá hạn") if self.late else _("Đúng hạn")
        return _("Chưa nộp, quá hạn") if self.overdue else _("Chưa nộp")


@dataclass(frozen=True)
class HeatCell:
    kind: str  # "blank", "none" (no report), "draft", "unrated" or a Level value
    label: str = ""
    short: str = ""
    url: str = ""


@dataclass
class HeatRow:
    organisation: Organisation
    cells: list[HeatCell]


@dataclass
class HeatMap:
    tasks: list[Task]
    rows: list[HeatRow]

    @staticmethod
    def legend() -> list[HeatCell]:
        cells = [
            HeatCell(kind=level, label=str(label), short=str(LEVEL_SHORT[level]))
            for level, label in Level.choices
        ]
        return [
            *cells,
            HeatCell(kind="unrated", label=_("Chưa tự đánh giá"), short="?"),
            HeatCell(kind="draft", label=_("Đang soạn, chưa gửi"), short="…"),
            HeatCell(kind="none", label=_("Chưa có báo cáo"), short="·"),
            HeatCell(kind="blank", label=_("Không thuộc phạm vi báo cáo")),
        ]


@dataclass
class HistoryRow:
    organisation: Organisation
    cells: list[AnnualReport | None]


@dataclass
class History:
    cycles: list[ReportingCycle]
    rows: list[HistoryRow]


@dataclass
class SubPlanRow:
    organisation: Organisation
    subplan: SubPlan | None
    bucket: str

    @property
    def bucket_label(self) -> str:
        return str(BUCKET_LABELS[self.bucket])

    @property
    def badge_class(self) -> str:
        return BADGE_CLASSES[self.bucket]


@dataclass
class SubPlanCompliance:
    due: dt.date | None
    buckets: list[Bucket]
    rows: list[SubPlanRow]


@dataclass(frozen=True)
class Card:
    label: str
    value: int | Decimal
    text: str
    tone: str = ""


def rate_cards(f: CycleFigures) -> list[Card]:
    """The three rates of a cycle, as the dashboard and the rollup both show them."""
    return [
        Card(_("Tỷ lệ đầy đủ"), f.completeness, percent_text(f.completeness)),
        Card(_("Tỷ lệ đúng hạn"), f.timeliness, percent_text(f.timeliness)),
        Card(_("Tỷ lệ tiếp nhận"), f.acceptance, percent_text(f.acceptance)),
    ]


@dataclass(frozen=True)
class StatusCount:
    key: str
    label: str
    count: int
    colour: str


@dataclass
class Dashboard:
    cycle: ReportingCycle
    figures: CycleFigures
    rows: list[OrganisationRow]  # after the filters
    expected_rows: int
    status_counts: list[StatusCount]
    kinds: list[tuple[str, str]]
    kind: str
    status: str
    subplans: SubPlanCompliance
    today: dt.date
    total_rows: int = 0  # rows after the filters, on every page
    page: int = 1
    pages: int = 1

    @property
    def pager(self) -> Pager:
        """The table's pager; its links keep the filters."""
        keep = (("loai", self.kind),) if self.kind else ()
        keep += (("trang_thai", self.status),) if self.status else ()
        return Pager(page=self.page, pages=self.pages, total=self.total_rows, keep=keep)

    @cached_property
    def heatmap(self) -> HeatMap:
        """The rows × tasks coverage, worked out when a page shows it (never for the
        exports, which list every organisation)."""
        return _heatmap(self.cycle, self.rows)

    @cached_property
    def history(self) -> History:
        """The rows × years matrix, worked out when a page shows it."""
        return _history(self.cycle, self.rows)

    @property
    def filtered(self) -> bool:
        return bool(self.kind or self.status)

    @property
    def status_filters(self) -> list[tuple[str, str]]:
        return [(key, str(label)) for key, label in STATUS_FILTERS.items()]

    @property
    def cards(self) -> list[Card]:
        f = self.figures
        return [
            Card(_("Phải báo cáo"), f.expected, format_figure(Decimal(f.expected))),
            Card(_("Đã nộp"), f.actual, format_figure(Decimal(f.actual)), "primary"),
            Card(_("Đúng hạn"), f.on_time, format_figure(Decimal(f.on_time)), "success"),
            Card(_("Quá hạn"), f.late, format_figure(Decimal(f.late)), "warning"),
            Card(_("Chưa nộp"), f.missing, format_figure(Decimal(f.missing)), "danger"),
            Card(_("Đã tiếp nhận"), f.accepted, format_figure(Decimal(f.accepted)), "success"),
        ]

    @property
    def rates(self) -> list[Card]:
        return rate_cards(self.figures)

    def status_chart(self) -> dict:
        return {
            "kind": "doughnut",
            "labels": [s.label for s in self.status_counts],
            "datasets": [
                {
                    "label": _("Số đơn vị"),
                    "data": [s.count for s in self.status_counts],
                    "colors": [s.colour for s in self.status_counts],
                }
            ],
        }

    def rates_chart(self) -> dict:
        return {
            "kind": "bar",
            "horizontal": True,
            "percent": True,
            "labels": [card.label for card in self.rates],
            "datasets": [
                {
                    "label": _("Tỷ lệ (%)"),
                    "data": [float(card.value) for card in self.rates],
                    "colors": ["#0d6efd", "#198754", "#6f42c1"],
                }
            ],
        }


def _latest_reminders(
    cycle: ReportingCycle, organisation_ids: list[int]
) -> dict[int, LastReminder]:
    """Each listed organisation's latest reminder of the cycle, in one query. A reminder
    that never went out (failed, skipped) counts from the moment it was claimed."""
    latest: dict[int, LastReminder] = {}
    rows = Reminder.objects.filter(cycle=cycle, organisation_id__in=organisation_ids).values_list(
        "organisation_id", "sent_at", "claimed_at", "status"
    )
    for organisation_id, sent_at, claimed_at, status in rows:
        at = sent_at or claimed_at
        current = latest.get(organisation_id)
        if current is None or at > current.at:
            latest[organisation_id] = LastReminder(at=at, status=status)
    return latest


def _heatmap(cycle: ReportingCycle, rows: list[OrganisationRow]) -> HeatMap:
    """Organisations × tasks: the self-assessed level of each section. Three queries."""
    tasks = list(cycle.plan.tasks.order_by("number"))
    scope = organisations_in_scope(cycle.plan, [r.organisation for r in rows])
    sections = {
        (s["report__organisation_id"], s["task__number"]): s
        for s in TaskSection.objects.filter(
            report__cycle=cycle, report__organisation_id__in=[r.organisation.pk for r in rows]
        ).values("report__organisation_id", "task__number", "level", "report__status")
    }
    labels = dict(Level.choices)
    result = []
    for row in rows:
        org = row.organisation
        cells = []
        for task in tasks:
            section = sections.get((org.pk, task.number))
            if section is None:
                in_scope = row.report is None and task.number in scope.get(org.pk, set())
                cells.append(
                    HeatCell(kind="none", label=_("Chưa có báo cáo"), short="·")
                    if in_scope
                    else HeatCell(kind="blank")
                )
                continue
            url = f"{row.report.get_absolute_url()}#nhiem-vu-{task.number}"
            level = section["level"]
            if section["report__status"] == ReportStatus.DRAFT:
                label = _("Đang soạn, chưa gửi")
                if level:
                    label = f"{label} ({labels[level]})"
                cells.append(HeatCell(kind="draft", label=label, short="…", url=url))
            elif level in labels:
                cells.append(
                    HeatCell(
                        kind=level,
                        label=str(labels[level]),
                        short=str(LEVEL_SHORT[level]),
                        url=url,
                    )
                )
            else:
                cells.append(
                    HeatCell(kind="unrated", label=_("Chưa tự đánh giá"), short="?", url=url)
                )
        result.append(HeatRow(organisation=org, cells=cells))
    return HeatMap(tasks=tasks, rows=result)


def _history(cycle: ReportingCycle, rows: list[OrganisationRow]) -> History:
    """Organisations × years: each year's report status. Two queries."""
    cycles = list(ReportingCycle.objects.filter(plan_id=cycle.plan_id).order_by("year"))
    by_id = {c.pk: c for c in cycles}
    by_id[cycle.pk] = cycle
    cycles = [by_id[c.pk] for c in cycles]
    reports = {}
    for report in AnnualReport.objects.filter(
        cycle__plan_id=cycle.plan_id, organisation_id__in=[r.organisation.pk for r in rows]
    ).only("pk", "cycle_id", "organisation_id", "status", "first_submitted_at"):
        report.cycle = by_id[report.cycle_id]  # so on_time needs no query
        reports[(report.organisation_id, report.cycle_id)] = report
    return History(
        cycles=cycles,
        rows=[
            HistoryRow(
                organisation=row.organisation,
                cells=[reports.get((row.organisation.pk, c.pk)) for c in cycles],
            )
            for row in rows
        ],
    )


def subplan_compliance(plan: Plan, today: dt.date, *, every_row: bool = False) -> SubPlanCompliance:
    """The plan's sub-plans in the four buckets of Vietnamese task tracking: each bucket
    counted in the database and its first organisations named; with ``every_row`` (the
    spreadsheet) every expected organisation's row as well. A fixed number of queries
    whatever the number of organisations."""
    expected = subplan_expected_organisations(plan, today)
    rows = []
    if every_row:
        subplans = SubPlan.objects.filter(plan=plan).in_bulk()
        rows = [
            SubPlanRow(organisation=org, subplan=subplans.get(org.subplan_pk), bucket=org.bucket)
            for org in with_bucket(expected, plan, today)
        ]
    return SubPlanCompliance(
        due=plan.subplans_due, buckets=bucket_summary(expected, plan, today), rows=rows
    )


def status_slices(figures: CycleFigures) -> dict[str, int]:
    """How many expected organisations fall in each slice of the doughnut (a report
    status, or not started), from the cycle's figures: no query."""
    slices = {
        ReportStatus.ACCEPTED: figures.accepted,
        ReportStatus.SUBMITTED: figures.submitted,
        ReportStatus.RETURNED: figures.returned,
        ReportStatus.DRAFT: figures.draft,
    }
    slices[NOT_STARTED] = figures.expected - sum(slices.values())
    return slices


def _row_page(
    cycle: ReportingCycle, *, kind: str, status: str, today: dt.date, page: int | None
) -> tuple[list[tuple[Organisation, int | None]], int, int]:
    """One page of (organisation, report id), overdue first then by code, filtered in
    the database: the page, the number of rows after the filters, and the page number.
    Without a page number, every row (the exports)."""
    rows = expected_with_report(cycle, today)
    if kind:
        rows = rows.filter(kind=kind)
    if status == MISSING:
        rows = rows.filter(cycle_report__first_submitted_at__isnull=True)
    elif status == ReportStatus.DRAFT:
        rows = rows.filter(cycle_report__status=status)
    elif status:
        rows = rows.filter(
            cycle_report__first_submitted_at__isnull=False, cycle_report__status=status
        )
    if page is None:
        rows = list(rows)
        return [(org, org.report_pk) for org in rows], len(rows), 1
    rows, pager = paginate(rows, page)
    return [(org, org.report_pk) for org in rows], pager.total, pager.page


def cycle_dashboard(
    cycle: ReportingCycle,
    *,
    kind: str = "",
    status: str = "",
    today: dt.date | None = None,
    page: int | None = None,
) -> Dashboard:
    """Everything the dashboard of a cycle shows. The figures and the charts cover every
    expected organisation, counted in the database; the filters (organisation kind,
    status) narrow the table, the heat map and the history, which show one page of
    PAGE_SIZE organisations (every organisation when ``page`` is None, for the exports).
    A fixed number of queries whatever the number of organisations."""
    today = today or timezone.localdate()
    every_row = page is None  # the exports
    figures = cycle_figures(cycle)
    slices = status_slices(figures)
    present = set(
        expected_organisations(cycle).order_by().values_list("kind", flat=True).distinct()
    )
    kinds = [(value, str(label)) for value, label in OrganisationKind.choices if value in present]
    kind = kind if kind in present else ""
    status = status if status in STATUS_FILTERS else ""
    page_rows, total, page = _row_page(cycle, kind=kind, status=status, today=today, page=page)
    organisation_ids = [org.pk for org, _report in page_rows]
    reports = AnnualReport.objects.select_related("last_saved_by").in_bulk(
        [pk for _org, pk in page_rows if pk is not None]
    )
    for report in reports.values():
        report.cycle = cycle
    reminders = _latest_reminders(cycle, organisation_ids)
    rows = [
        OrganisationRow(
            organisation=org,
            report=reports.get(report_pk) if report_pk is not None else None,
            deadline=cycle.deadline,
            today=today,
            reminder=reminders.get(org.pk),
        )
        for org, report_pk in page_rows
    ]
    return Dashboard(
        cycle=cycle,
        figures=figures,
        rows=rows,
        expected_rows=figures.expected,
        status_counts=[
            StatusCount(key=key, label=str(label), count=slices[key], colour=colour)
            for key, label, colour in STATUS_SLICES
        ],
        kinds=kinds,
        kind=kind,
        status=status,
        subplans=subplan_compliance(cycle.plan, today, every_row=every_row),
        today=today,
        total_rows=total,
        page=page,
        pages=page_count(total) if len(rows) < total else 1,
    )


# The provincial rollup of a plan ----------------------------------------------------------


@dataclass
class TotalLine:
    """An indicator's provincial total with last year's and the change, ready to show."""

    total: IndicatorTotal

    @property
    def indicator(self) -> Indicator:
        return self.total.indicator

    @property
    def value_text(self) -> str:
        return format_figure(self.total.value)

    @property
    def previous_text(self) -> str:
        return format_figure(self.total.previous)

    @property
    def change_text(self) -> str:
        return signed_figure_text(self.total.change)

    @property
    def change_percent_text(self) -> str:
        return signed_percent_text(self.total.change_percent)

    @property
    def trend(self) -> str:
        change = self.total.change
        if not change:
            return ""
        return "up" if change > 0 else "down"


@dataclass(frozen=True)
class LevelCount:
    key: str
    label: str
    count: int
    colour: str


@dataclass(frozen=True)
class SectionLink:
    organisation: str
    level: str
    level_label: str
    url: str


# Organisations listed per task and compared on the chart: all of a province's, and the
# first ones of a national deployment, whose totals still count every organisation.
SHOWN = 50


@dataclass
class TaskBlock:
    task: Task
    lines: list[TotalLine]
    levels: list[LevelCount]
    sections: list[SectionLink]
    reports: int = 0  # counted reports with a section on this task

    @property
    def rated(self) -> int:
        return sum(level.count for level in self.levels)

    @property
    def more(self) -> int:
        """Counted reports whose section is not linked (beyond the first SHOWN)."""
        return max(0, self.reports - len(self.sections))


@dataclass(frozen=True)
class ComparisonRow:
    organisation: Organisation
    value: Decimal | None
    url: str

    @property
    def value_text(self) -> str:
        return format_figure(self.value)


@dataclass(frozen=True)
class YearPoint:
    cycle: ReportingCycle
    figures: CycleFigures
    value: Decimal | None

    @property
    def value_text(self) -> str:
        return format_figure(self.value)

    @property
    def completeness_text(self) -> str:
        return percent_text(self.figures.completeness)

    @property
    def timeliness_text(self) -> str:
        return percent_text(self.figures.timeliness)


@dataclass
class Rollup:
    plan: Plan
    cycles: list[ReportingCycle]
    cycle: ReportingCycle
    previous: ReportingCycle | None
    include_submitted: bool
    totals: Totals
    tasks: list[TaskBlock]
    indicator: Indicator | None
    comparison: list[ComparisonRow]
    trend: list[YearPoint]
    compared: int = 0  # counted organisations for the comparison, shown or not

    @property
    def compared_more(self) -> int:
        return max(0, self.compared - len(self.comparison))

    @property
    def basis(self) -> str:
        if self.include_submitted:
            return _("Số liệu tính trên các báo cáo đã tiếp nhận và đã gửi (chưa tiếp nhận).")
        return _("Số liệu tính trên các báo cáo đã được tiếp nhận.")

    @property
    def lines(self) -> list[TotalLine]:
        return [line for block in self.tasks for line in block.lines]

    @property
    def figures(self) -> CycleFigures:
        return next(p.figures for p in self.trend if p.cycle.pk == self.cycle.pk)

    @property
    def rates(self) -> list[Card]:
        return rate_cards(self.figures)

    def levels_chart(self) -> dict:
        return {
            "kind": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": [_("Nhiệm vụ %(n)s") % {"n": b.task.number} for b in self.tasks],
            "datasets": [
                {
                    "label": str(label),
                    "data": [b.levels[i].count for b in self.tasks],
                    "colors": [LEVEL_COLOURS[level]],
                }
                for i, (level, label) in enumerate(Level.choices)
            ],
        }

    def comparison_chart(self) -> dict:
        shown = [row for row in self.comparison if row.value is not None]
        return {
            "kind": "bar",
            "horizontal": True,
            "labels": [row.organisation.display_name for row in shown],
            "datasets": [
                {
                    "label": self.indicator.name if self.indicator else "",
                    "data": [as_number(row.value) for row in shown],
                    "colors": ["#a50e0e"],
                }
            ],
        }

    def trend_chart(self) -> dict:
        return {
            "kind": "line",
            "labels": [str(p.cycle.year) for p in self.trend],
            "datasets": [
                {
                    "label": self.indicator.name if self.indicator else "",
                    "data": [as_number(p.value) for p in self.trend],
                    "colors": ["#a50e0e"],
                }
            ],
        }

    def rates_chart(self) -> dict:
        return {
            "kind": "line",
            "percent": True,
            "labels": [str(p.cycle.year) for p in self.trend],
            "datasets": [
                {
                    "label": _("Tỷ lệ đầy đủ"),
                    "data": [float(p.figures.completeness) for p in self.trend],
                    "colors": ["#0d6efd"],
                },
                {
                    "label": _("Tỷ lệ đúng hạn"),
                    "data": [float(p.figures.timeliness) for p in self.trend],
                    "colors": ["#198754"],
                },
            ],
        }


def _task_blocks(
    cycle: ReportingCycle, totals: Totals, statuses: tuple[str, ...]
) -> list[TaskBlock]:
    """Per task: its indicators' totals, the spread of self-assessed levels among the
    counted reports (from the running totals), and links to the sections of the first
    SHOWN counted organisations by code. Three queries."""
    tasks = list(cycle.plan.tasks.order_by("number"))
    lines: dict[int, list[TotalLine]] = {task.pk: [] for task in tasks}
    for total in totals.rows:
        lines.setdefault(total.indicator.task_id, []).append(TotalLine(total))
    counts: dict[int, dict[str, int]] = {task.pk: dict.fromkeys(Level.values, 0) for task in tasks}
    reports: dict[int, int] = dict.fromkeys(counts, 0)
    tallied = (
        LevelTally.objects.filter(cycle=cycle, status__in=statuses)
        .values_list("task_id", "level")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for task_id, level, n in tallied:
        if task_id in counts:
            reports[task_id] += n
            if level in counts[task_id]:
                counts[task_id][level] += n
    first = (
        AnnualReport.objects.filter(cycle=cycle, status__in=statuses)
        .order_by("organisation__code")
        .values("pk")[:SHOWN]
    )
    sections = (
        TaskSection.objects.filter(report__in=first)
        .values(
            "task_id",
            "task__number",
            "level",
            "report_id",
            "report__organisation__name",
            "report__organisation__short_name",
        )
        .order_by("task__number", "report__organisation__code")
    )
    labels = dict(Level.choices)
    links: dict[int, list[SectionLink]] = {task.pk: [] for task in tasks}
    urls: dict[int, str] = {}
    for s in sections:
        if s["report_id"] not in urls:
            urls[s["report_id"]] = reverse("reports:report_detail", args=[s["report_id"]])
        links.setdefault(s["task_id"], []).append(
            SectionLink(
                organisation=s["report__organisation__short_name"]
                or s["report__organisation__name"],
                level=s["level"],
                level_label=str(labels.get(s["level"], _("Chưa tự đánh giá"))),
                url=f"{urls[s['report_id']]}#nhiem-vu-{s['task__number']}",
            )
        )
    return [
        TaskBlock(
            task=task,
            lines=lines[task.pk],
            levels=[
                LevelCount(
                    key=level,
                    label=str(label),
                    count=counts[task.pk][level],
                    colour=LEVEL_COLOURS[level],
                )
                for level, label in Level.choices
            ],
            sections=links[task.pk],
            reports=reports[task.pk],
        )
        for task in tasks
    ]


def _comparison(
    cycle: ReportingCycle, indicator: Indicator | None, statuses: tuple[str, ...]
) -> tuple[list[ComparisonRow], int]:
    """The SHOWN counted organisations with the largest figure for one indicator (no
    figure last; equal figures by code), and how many counted organisations there are.
    Two queries: the figures, with the count as a window over every row taken before the
    limit (joining only the reports, which keeps it fast at national size), then the
    organisations of the rows kept."""
    if indicator is None:
        return [], 0
    top = list(
        IndicatorValue.objects.filter(
            report__cycle=cycle, report__status__in=statuses, indicator=indicator
        )
        .annotate(organisation_id=F("report__organisation_id"), counted=Window(Count("pk")))
        .order_by(F("value").desc(nulls_last=True), "report__organisation_id")
        .values_list("value", "report_id", "organisation_id", "counted")[:SHOWN]
    )
    organisations = Organisation.objects.in_bulk([row[2] for row in top])
    rows = [
        ComparisonRow(
            organisation=organisations[organisation_id],
            value=value,
            url=reverse("reports:report_detail", args=[report_id]),
        )
        for value, report_id, organisation_id, _counted in top
    ]
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.organisation.code))
    return rows, top[0][3] if top else 0


def plan_cycles(plan: Plan) -> list[ReportingCycle]:
    """The plan's cycles, oldest first."""
    cycles = list(ReportingCycle.objects.filter(plan=plan).order_by("year"))
    for cycle in cycles:
        cycle.plan = plan
    return cycles


def plan_rollup(
    plan: Plan,
    cycles: list[ReportingCycle],
    *,
    year: int | None = None,
    include_submitted: bool = False,
    indicator_code: str = "",
) -> Rollup | None:
    """The provincial rollup of a plan for one year (the latest when the year is not one
    of the plan's cycles); None when the plan has no cycle yet."""
    if not cycles:
        return None
    cycle = next((c for c in cycles if c.year == year), cycles[-1])
    previous = previous_cycle(cycle)
    totals = indicator_totals(cycle, include_submitted=include_submitted, previous=previous)
    statuses = counted_statuses(include_submitted)
    by_code = totals.by_code()
    chosen = by_code.get(indicator_code) or (totals.rows[0] if totals.rows else None)
    indicator = chosen.indicator if chosen else None
    trend = []
    figures = cycles_figures(cycles)
    for each in cycles:
        if indicator is None:
            value = None
        else:
            year_totals = (
                totals
                if each.pk == cycle.pk
                else indicator_totals(each, include_submitted=include_submitted)
            )
            value = year_totals.by_code()[indicator.code].value
        trend.append(YearPoint(cycle=each, figures=figures[each.pk], value=value))
    comparison, compared = _comparison(cycle, indicator, statuses)
    return Rollup(
        plan=plan,
        cycles=cycles,
        cycle=cycle,
        previous=previous,
        include_submitted=include_submitted,
        totals=totals,
        tasks=_task_blocks(cycle, totals, statuses),
        indicator=indicator,
        comparison=comparison,
        compared=compared,
        trend=trend,
    )


@dataclass
class OrganisationValues:
    """Organisations × indicators for one year: the rollup's "Theo đơn vị" sheet."""

    indicators: list[Indicator]
    rows: list[tuple[str, list[Decimal | None]]] = field(default_factory=list)  # by name


def organisation_values(rollup: Rollup) -> OrganisationValues:
    """Every counted report's figures, one row per organisation (its name). One query,
    read as plain tuples: a national year is hundreds of thousands of figures."""
    indicators = [total.indicator for total in rollup.totals.rows]
    position = {indicator.pk: i for i, indicator in enumerate(indicators)}
    values = (
        IndicatorValue.objects.filter(
            report__cycle=rollup.cycle,
            report__status__in=counted_statuses(rollup.include_submitted),
        )
        .order_by("report__organisation__code")
        .values_list(
            "report__organisation_id", "report__organisation__name", "indicator_id", "value"
        )
    )
    rows: dict[int, tuple[str, list[Decimal | None]]] = {}
    for organisation_id, name, indicator_id, value in values.iterator(chunk_size=10_000):
        if organisation_id not in rows:
            rows[organisation_id] = (name, [None] * len(indicators))
        if indicator_id in position:
            rows[organisation_id][1][position[indicator_id]] = value
    return OrganisationValues(indicators=indicators, rows=list(rows.values()))
