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
from reports.dashboards.common import Card, rate_cards
from reports.dashboards.panels import (
    HeatMap,
    History,
    heatmap_of,
    history_of,
)
from reports.dashboards.rows import MISSING, NOT_STARTED, Below, LastReminder, OrganisationRow
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
    def subplans(self) -> SubPlanCompliance:
        """The plan's sub-plans in their buckets, worked out when asked for: the page
        loads them on their own, after it."""
        return subplan_compliance(self.cycle.plan, self.today)

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
    # Only the organisations under the listed committees' lines: their own parent_id among
    # those committees, or among the bodies under them that are not committees (the
    # parent index walked from a few parents, never all organisations grouped).
    lines = list(line_of)
    parents = Organisation.objects.filter(
        (Q(pk__in=lines) & Q(kind__in=COMMITTEES))
        | (Q(parent_id__in=lines) & ~Q(kind__in=COMMITTEES))
    ).values("pk")
    counts = (
        expected_everywhere(cycle)
        .exclude(kind__in=to_top)
        .filter(parent_id__in=parents)
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


@dataclass
class PageRows:
    """The organisations of one page of the dashboard's table (every organisation for
    the exports) with their reports, and what the filters kept."""

    cycle: ReportingCycle
    rows: list[OrganisationRow]
    kinds: list[tuple[str, str]]
    kind: str
    status: str
    pager: Pager | None
    predecessors: dict[int, list[Organisation]] | None

    @cached_property
    def heatmap(self) -> HeatMap:
        return heatmap_of(self.cycle, self.rows)

    @cached_property
    def history(self) -> History:
        return history_of(self.cycle, self.rows, self.predecessors)


def page_rows(
    cycle: ReportingCycle,
    *,
    kind: str = "",
    status: str = "",
    today: dt.date | None = None,
    page: int | None = None,
    node: ReportingNode | None = None,
    panel: bool = False,
) -> PageRows:
    """One page of the dashboard's organisations (none when ``page`` is None: the exports
    stream them), filtered by kind and status, with their reports; for the page, each row's
    latest reminder and each committee's progress below it, and the organisations'
    predecessors (the history reads them). ``panel``: only what the heat map and the
    history need (loaded on their own, after the page). A fixed number of queries."""
    today = today or timezone.localdate()
    every_row = page is None  # the exports
    node = node_or_top(cycle.plan, node)
    present = set(
        expected_organisations(cycle, node).order_by().values_list("kind", flat=True).distinct()
    )
    kinds = [(value, str(label)) for value, label in OrganisationKind.choices if value in present]
    kind = kind if kind in present else ""
    status = status if status in STATUS_FILTERS else ""
    found: list[tuple[Organisation, int | None]] = []
    pager = None
    if page is not None:  # the exports stream every row themselves (export_rows)
        found, pager = _row_page(cycle, kind=kind, status=status, today=today, page=page, node=node)
    organisation_ids = [org.pk for org, _report in found]
    reports = AnnualReport.objects.select_related("last_saved_by").in_bulk(
        [pk for _org, pk in found if pk is not None]
    )
    for report in reports.values():
        report.cycle = cycle
    for org, report_pk in found:  # on_time reads the kind (its level's due date)
        if report_pk in reports:
            reports[report_pk].organisation = org
    reminders = {} if panel else _latest_reminders(cycle, organisation_ids)
    predecessors: dict[int, list[Organisation]] | None = None
    below: dict[int, Below] = {}
    if not every_row:  # the page: its history and its committees' levels read these
        predecessors = predecessors_of(organisation_ids)
        committees = [org for org, _pk in found if org.kind in COMMITTEE_KINDS]
        below = {} if panel else levels_below(cycle, committees, predecessors)
    rows = [
        OrganisationRow(
            organisation=org,
            report=reports.get(report_pk) if report_pk is not None else None,
            deadline=cycle.deadline_for(org.kind),
            today=today,
            reminder=reminders.get(org.pk),
            below=below.get(org.pk),
        )
        for org, report_pk in found
    ]
    return PageRows(
        cycle=cycle,
        rows=rows,
        kinds=kinds,
        kind=kind,
        status=status,
        pager=pager,
        predecessors=predecessors,
    )


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
    node = node_or_top(cycle.plan, node)
    figures = cycle_figures(cycle, node)
    slices = status_slices(figures)
    part = page_rows(cycle, kind=kind, status=status, today=today, page=page, node=node)
    return Dashboard(
        cycle=cycle,
        figures=figures,
        rows=part.rows,
        expected_rows=figures.expected,
        status_counts=[
            StatusCount(key=key, label=str(label), count=slices[key], colour=colour)
            for key, label, colour in STATUS_SLICES
        ],
        kinds=part.kinds,
        kind=part.kind,
        status=part.status,
        today=today,
        pager=part.pager,
        node=node,
        predecessors=part.predecessors,
    )
