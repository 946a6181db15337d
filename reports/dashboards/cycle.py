"""Ban Tổ chức's dashboard of one cycle. Pure reads with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.lineage import predecessors_of
from organisations.models import COMMITTEE_KINDS, Organisation, OrganisationKind
from reports.dashboards.common import STATUS_LABELS, Card, rate_cards
from reports.dashboards.panels import (
    HeatMap,
    History,
    heatmap_of,
    history_of,
)
from reports.figures.content import format_figure
from reports.figures.definitions import (
    CycleFigures,
    cycle_figures,
    expected_everywhere,
    expected_organisations,
    node_or_top,
)
from reports.figures.deliverables import (
    BADGE_CLASSES,
    BUCKET_LABELS,
    Bucket,
    bucket_summary,
)
from reports.models import (
    NOT_STARTED_LABEL,
    AnnualReport,
    Reminder,
    ReminderStatus,
    ReportingCycle,
    ReportStatus,
    SubPlan,
)
from reports.paging import Pager, paginate
from reports.selectors import expected_with_report
from tasks.lines import COMMITTEES, ReportingNode, plan_lines
from tasks.models import Plan
from tasks.selectors import subplan_expected_organisations

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
    (NOT_STARTED, NOT_STARTED_LABEL, "#ced4da"),
]


@dataclass(frozen=True)
class LastReminder:
    at: dt.datetime
    status: str

    @property
    def status_label(self) -> str:
        return str(ReminderStatus(self.status).label)


@dataclass(frozen=True)
class Below:
    """A listed committee's own level: the organisations reporting to it and how many
    of them have submitted, as its drill-down shows them (``cycle_figures`` at its node)."""

    expected: int
    actual: int

    @property
    def percent(self) -> int:
        """For the bar's width: whole per cent, 0 when nothing is expected."""
        return round(self.actual * 100 / self.expected) if self.expected else 0

    @property
    def text(self) -> str:
        return _("%(actual)s/%(expected)s đã gửi") % {
            "actual": self.actual,
            "expected": self.expected,
        }


@dataclass
class OrganisationRow:
    """One expected organisation on the dashboard."""

    organisation: Organisation
    report: AnnualReport | None
    deadline: dt.datetime
    today: dt.date
    reminder: LastReminder | None = None
    below: Below | None = None  # a committee with organisations reporting to it

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
            return str(NOT_STARTED_LABEL)
        return str(STATUS_LABELS.get(self.report.status, self.report.status))

    @property
    def timeliness_label(self) -> str:
        if self.submitted:
            return _("Quá hạn") if self.late else _("Đúng hạn")
        return _("Chưa nộp, quá hạn") if self.overdue else _("Chưa nộp")


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
    rows: list[OrganisationRow]  # one page after the filters; none for the exports
    expected_rows: int
    status_counts: list[StatusCount]
    kinds: list[tuple[str, str]]
    kind: str
    status: str
    subplans: SubPlanCompliance
    today: dt.date
    pager: Pager | None = None  # None for the exports, which stream every row (export_rows)
    node: ReportingNode | None = None  # the committee whose level this is
    predecessors: dict[int, list[Organisation]] | None = None  # of the rows, when read

    @property
    def total_rows(self) -> int:
        """Rows after the filters, on every page."""
        return self.pager.total if self.pager else len(self.rows)

    @property
    def page(self) -> int:
        return self.pager.number if self.pager else 1

    @property
    def pages(self) -> int:
        return self.pager.pages if self.pager else 1

    @cached_property
    def heatmap(self) -> HeatMap:
        """The rows × tasks coverage, worked out when a page shows it (never for the
        exports, which list every organisation)."""
        return heatmap_of(self.cycle, self.rows)

    @cached_property
    def history(self) -> History:
        """The rows × years matrix, worked out when a page shows it."""
        return history_of(self.cycle, self.rows, self.predecessors)

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


def levels_below(
    cycle: ReportingCycle,
    committees: list[Organisation],
    predecessors: dict[int, list[Organisation]] | None = None,
) -> dict[int, Below]:
    """For each listed committee with organisations reporting to it, their progress:
    the expected organisations of the cycle at every level, grouped by the committee
    they report to (their parent, or grandparent past a body that is not a committee),
    counted with their submitted reports in one aggregate query; the committees'
    predecessors (read here unless given: the dashboard reads them once for its history
    too), whose old children count for the committee that carries them on (a node is
    read with its line, as ``tasks.lines`` says). Never a query per row; the same rule as
    ``cycle_figures`` at each committee's node."""
    if not committees:
        return {}
    line_of = {org.pk: org.pk for org in committees}
    if predecessors is None:
        predecessors = predecessors_of(line_of)
    for pk in list(line_of):
        line_of.update({p.pk: pk for p in predecessors.get(pk, [])})
    to_top = sorted(plan_lines(cycle.plan).to_top)
    counts = (
        expected_everywhere(cycle)
        .exclude(kind__in=to_top)
        .annotate(
            addressee=Case(
                When(parent__kind__in=COMMITTEES, then=F("parent_id")),
                default=F("parent__parent_id"),
                output_field=IntegerField(),
            ),
            cycle_report=FilteredRelation("reports", condition=Q(reports__cycle=cycle)),
        )
        .filter(addressee__in=list(line_of))
        .order_by()
        .values("addressee")
        .annotate(
            expected=Count("pk"),
            actual=Count("pk", filter=Q(cycle_report__first_submitted_at__isnull=False)),
        )
        .values_list("addressee", "expected", "actual")
    )
    totals: dict[int, list[int]] = {}
    for addressee, expected, actual in counts:
        total = totals.setdefault(line_of[addressee], [0, 0])
        total[0] += expected
        total[1] += actual
    return {pk: Below(expected=e, actual=a) for pk, (e, a) in totals.items() if e}


def subplan_compliance(plan: Plan, today: dt.date) -> SubPlanCompliance:
    """The plan's sub-plans in the four buckets of Vietnamese task tracking: each bucket
    counted in the database and its first organisations named (the spreadsheet streams
    every expected organisation's row: ``export_rows.subplan_rows``). A fixed number of
    queries whatever the number of organisations."""
    expected = subplan_expected_organisations(plan, today)
    return SubPlanCompliance(due=plan.subplans_due, buckets=bucket_summary(expected, plan, today))


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


def filtered_rows(
    cycle: ReportingCycle, *, kind: str, status: str, today: dt.date, node: ReportingNode | None
) -> QuerySet[Organisation]:
    """The expected organisations the table lists, each with its report's id as
    ``report_pk``: overdue first then in the usual order, filtered in the database. The
    page reads one page of it; the exports stream all of it (``export_rows``)."""
    rows = expected_with_report(cycle, today, node=node)
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
    return rows


def _row_page(
    cycle: ReportingCycle,
    *,
    kind: str,
    status: str,
    today: dt.date,
    page: int,
    node: ReportingNode | None,
) -> tuple[list[tuple[Organisation, int | None]], Pager]:
    """One page of (organisation, report id) of ``filtered_rows``, and its pager, whose
    links keep the filters."""
    rows = filtered_rows(cycle, kind=kind, status=status, today=today, node=node)
    # A lower level's pages stay on that level.
    keep: tuple[tuple[str, str], ...] = ()
    if node is not None and not node.top:
        keep = (("don_vi", node.organisation.code),)
    keep += (("loai", kind),) if kind else ()
    keep += (("trang_thai", status),) if status else ()
    pager = paginate(rows, page, keep=keep)
    return [(org, org.report_pk) for org in pager.page], pager


def cycle_dashboard(
    cycle: ReportingCycle,
    *,
    kind: str = "",
    status: str = "",
    today: dt.date | None = None,
    page: int | None = None,
    node: ReportingNode | None = None,
) -> Dashboard:
    """Everything the dashboard of a cycle shows. The figures and the charts cover every
    expected organisation, counted in the database; the filters (organisation kind,
    status) narrow the table, the heat map and the history, which show one page of
    PAGE_SIZE organisations (none when ``page`` is None: the exports stream every row
    themselves, ``reports.dashboards.export_rows``). A fixed number of queries whatever
    the number of organisations."""
    today = today or timezone.localdate()
    every_row = page is None  # the exports
    node = node_or_top(cycle.plan, node)
    figures = cycle_figures(cycle, node)
    slices = status_slices(figures)
    present = set(
        expected_organisations(cycle, node).order_by().values_list("kind", flat=True).distinct()
    )
    kinds = [(value, str(label)) for value, label in OrganisationKind.choices if value in present]
    kind = kind if kind in present else ""
    status = status if status in STATUS_FILTERS else ""
    page_rows: list[tuple[Organisation, int | None]] = []
    pager = None
    if page is not None:
        page_rows, pager = _row_page(
            cycle, kind=kind, status=status, today=today, page=page, node=node
        )
    organisation_ids = [org.pk for org, _report in page_rows]
    reports = AnnualReport.objects.select_related("last_saved_by").in_bulk(
        [pk for _org, pk in page_rows if pk is not None]
    )
    for report in reports.values():
        report.cycle = cycle
    for org, report_pk in page_rows:  # on_time reads the kind (its level's due date)
        if report_pk in reports:
            reports[report_pk].organisation = org
    reminders = _latest_reminders(cycle, organisation_ids)
    predecessors: dict[int, list[Organisation]] | None = None
    below: dict[int, Below] = {}
    if not every_row:  # the page: its history and its committees' levels read these
        predecessors = predecessors_of(organisation_ids)
        committees = [org for org, _pk in page_rows if org.kind in COMMITTEE_KINDS]
        below = levels_below(cycle, committees, predecessors)
    rows = [
        OrganisationRow(
            organisation=org,
            report=reports.get(report_pk) if report_pk is not None else None,
            deadline=cycle.deadline_for(org.kind),
            today=today,
            reminder=reminders.get(org.pk),
            below=below.get(org.pk),
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
        subplans=subplan_compliance(cycle.plan, today),
        today=today,
        pager=pager,
        node=node,
        predecessors=predecessors,
    )
