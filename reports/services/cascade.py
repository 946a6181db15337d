"""A committee's report built from the reports addressed to it (DESIGN §4, "cascade").

A committee (a huyện ủy, a grassroots đảng ủy with cells) receives the reports of the
organisations that report to it, reviews them, and then writes its own report for the
level above. Its figures start as what the accepted reports add up to, by each
indicator's aggregation, read from the committee's running totals
(``reports.figures.totals.indicator_totals``). The committee may change a figure,
saying why; a later refresh never overwrites a figure changed by hand.

The status of the reports addressed to the committee is shown next to its own, and the
plan's ``children_rule`` says whether its report may go up before all were accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from organisations.models import COMMITTEE_KINDS, Organisation, User
from reports.figures.content import format_figure
from reports.figures.definitions import cycle_figures
from reports.figures.totals import indicator_totals
from reports.models import NOT_STARTED_LABEL, AnnualReport, IndicatorValue, ReportStatus
from reports.selectors import expected_rows, expected_with_report, reports_visible_to
from tasks.lines import node_of
from tasks.models import ChildrenRule, Indicator, ValueType

# How many names a refusal lists before "…".
NAMES_SHOWN = 3


@dataclass(frozen=True)
class Derived:
    value: Decimal | None  # None while no accepted report gave this figure
    reports: int  # accepted reports that gave the figure
    expected: int  # reports expected from the level below in the cycle


def receives_reports(organisation: Organisation) -> bool:
    """Only committees are addressed (tasks.lines): the others are not asked, no query."""
    return organisation.kind in COMMITTEE_KINDS


def derived_figures(report: AnnualReport) -> dict[int, Derived] | None:
    """What the accepted reports addressed to the report's organisation add up to, by
    indicator id; None when nobody reports to it in the cycle (a grassroots without
    cells). A fixed number of queries: the running totals are read, not the figures."""
    if not receives_reports(report.organisation):
        return None
    node = node_of(report.organisation)
    expected = cycle_figures(report.cycle, node).expected
    if not expected:
        return None
    totals = indicator_totals(report.cycle, node=node)
    return {
        row.indicator.pk: Derived(_as_typed(row.indicator, row.value), row.reports, expected)
        for row in totals.rows
    }


def _as_typed(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """An average of counts, rounded to a count: the form takes whole numbers there."""
    if value is None or indicator.value_type != ValueType.INTEGER:
        return value
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def apply_derived(report: AnnualReport, derived: dict[int, Derived]) -> int:
    """Store the derived figures on the report's values. A value still empty, or still
    equal to what was derived last time, follows the new sum; a value the committee
    changed stays as it is (its reason too). Returns how many values changed."""
    changed = []
    for value in IndicatorValue.objects.filter(report=report).order_by("pk"):
        new = derived.get(value.indicator_id)
        if new is None:
            continue
        follows = value.value is None or (value.derived_of > 0 and value.value == value.derived)
        before = (value.value, value.derived, value.derived_from, value.derived_of, value.reason)
        if follows:
            value.value = new.value
        value.derived, value.derived_from, value.derived_of = new.value, new.reports, new.expected
        if value.value == value.derived:
            value.reason = ""  # nothing left to explain
        if before != (
            value.value, value.derived, value.derived_from, value.derived_of, value.reason
        ):  # fmt: skip
            changed.append(value)
    fields = ["value", "derived", "derived_from", "derived_of", "reason"]
    written = {tuple(getattr(value, field) for field in fields) for value in changed}
    if len(written) == 1:
        # All alike (a report starting before any child is accepted: every value takes
        # the same empty sum): one plain UPDATE. bulk_update's CASE over every row cost
        # more than the rest of starting a report.
        IndicatorValue.objects.filter(pk__in=[value.pk for value in changed]).update(
            **dict(zip(fields, written.pop(), strict=True))
        )
    else:
        IndicatorValue.objects.bulk_update(changed, fields)
    return len(changed)


# The level below ----------------------------------------------------------------------


@dataclass
class ChildRow:
    organisation: Organisation
    report: AnnualReport | None
    visible: bool  # whether the person looking may open the report

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else ""

    @property
    def status_label(self) -> str:
        if self.report is None:
            return str(NOT_STARTED_LABEL)
        return str(self.report.get_status_display())


@dataclass
class Children:
    """The organisations expected to report to a committee in a cycle, with their reports."""

    rows: list[ChildRow]
    rule: str

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def accepted(self) -> int:
        return sum(1 for row in self.rows if row.status == ReportStatus.ACCEPTED)

    @property
    def pending(self) -> list[ChildRow]:
        return [row for row in self.rows if row.status != ReportStatus.ACCEPTED]

    @property
    def required(self) -> bool:
        return self.rule == ChildrenRule.REQUIRE

    def counts(self) -> dict[str, int]:
        """How many in each status ("" for not started), for the table's heading."""
        result: dict[str, int] = {}
        for row in self.rows:
            result[row.status] = result.get(row.status, 0) + 1
        return result

    def pending_names(self) -> str:
        names = [row.organisation.name for row in self.pending[:NAMES_SHOWN]]
        if len(self.pending) > NAMES_SHOWN:
            names.append("…")
        return ", ".join(names)


def children_of(report: AnnualReport, viewer: User | None = None) -> Children | None:
    """The organisations expected to report to the report's organisation in its cycle,
    each with its report of the cycle (None when not started), or None when there are
    none. ``viewer`` decides which reports get a link. A fixed number of queries however
    many children: the expected organisations and their reports in one, and one more for
    what the viewer may open."""
    if not receives_reports(report.organisation):
        return None
    cycle = report.cycle
    node = node_of(report.organisation)
    organisations = list(expected_with_report(cycle, node=node, with_reports=True))
    if not organisations:
        return None
    rows = expected_rows(organisations, cycle)
    ids = [row.report.pk for row in rows if row.report is not None]
    visible = (
        set(reports_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        if viewer is not None and ids
        else set()
    )
    return Children(
        rows=[
            ChildRow(
                organisation=row.organisation,
                report=row.report,
                visible=row.report is not None and row.report.pk in visible,
            )
            for row in rows
        ],
        rule=cycle.plan.children_rule,
    )


def children_refusal(children: Children | None) -> str:
    """Why the report may not go up yet under a plan that requires every report of the
    level below to be accepted first ("" when it may)."""
    if children is None or not children.required or not children.pending:
        return ""
    return _(
        "Chưa thể gửi: kế hoạch yêu cầu mọi báo cáo cấp dưới phải được tiếp nhận trước,"
        " còn %(n)s/%(of)s báo cáo chưa được tiếp nhận (%(names)s)."
    ) % {
        "n": format_figure(Decimal(len(children.pending))),
        "of": format_figure(Decimal(children.expected)),
        "names": children.pending_names(),
    }


def children_warning(children: Children | None) -> str:
    """What the submitter is told under a plan that only warns ("" when all accepted)."""
    if children is None or not children.pending:
        return ""
    return _(
        "Lưu ý: còn %(n)s/%(of)s báo cáo cấp dưới chưa được tiếp nhận (%(names)s);"
        " số liệu tổng hợp chỉ tính các báo cáo đã tiếp nhận."
    ) % {
        "n": format_figure(Decimal(len(children.pending))),
        "of": format_figure(Decimal(children.expected)),
        "names": children.pending_names(),
    }
