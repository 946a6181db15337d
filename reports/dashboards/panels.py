"""The dashboard's two heavy panels, worked out only when a page shows them: the heat map
of self-assessed levels (organisations × tasks) and the history of earlier years, which
follows each organisation's lineage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.lineage import predecessors_of
from organisations.models import Organisation
from reports.dashboards.common import status_badge_html
from reports.models import (
    AnnualReport,
    Level,
    ReportingCycle,
    ReportStatus,
    TaskSection,
)
from tasks.models import Task
from tasks.selectors import organisations_in_scope

if TYPE_CHECKING:
    from reports.dashboards.cycle import OrganisationRow


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
    cells: list[AnnualReport | None]  # the organisation's own report of each year
    # Each year's reports of the organisations it succeeds (DESIGN §8), under their names.
    inherited: list[list[AnnualReport]] = field(default_factory=list)

    @property
    def columns(self) -> list[tuple[AnnualReport | None, list[AnnualReport]]]:
        inherited = self.inherited or [[] for _ in self.cells]
        return list(zip(self.cells, inherited, strict=True))


@dataclass
class History:
    cycles: list[ReportingCycle]
    rows: list[HistoryRow]


def heatmap_of(cycle: ReportingCycle, rows: list[OrganisationRow]) -> HeatMap:
    """Organisations × tasks: the self-assessed level of each section. Three queries."""
    tasks = list(cycle.plan.tasks.order_by("number"))
    scope = organisations_in_scope(cycle.plan, [r.organisation for r in rows])
    sections = {
        (s["report__organisation_id"], s["task__number"]): s
        for s in TaskSection.objects.filter(
            report__cycle=cycle, report__organisation_id__in=[r.organisation.pk for r in rows]
        ).values("report__organisation_id", "task__number", "level", "report__status")
    }
    # Every label translated once and every cell built from it; every link from one
    # reverse(): seven cells a row, a hundred rows a page.
    labels = {level: str(label) for level, label in Level.choices}
    shorts = {level: str(short) for level, short in LEVEL_SHORT.items()}
    drafting, no_report, unrated = (
        _("Đang soạn, chưa gửi"),
        _("Chưa có báo cáo"),
        _("Chưa tự đánh giá"),
    )
    detail = reverse("reports:report_detail", args=[_PLACEHOLDER])
    result = []
    for row in rows:
        org = row.organisation
        cells = []
        link = detail.replace(str(_PLACEHOLDER), str(row.report.pk)) if row.report else ""
        for task in tasks:
            section = sections.get((org.pk, task.number))
            if section is None:
                in_scope = row.report is None and task.number in scope.get(org.pk, set())
                cells.append(
                    HeatCell(kind="none", label=no_report, short="·")
                    if in_scope
                    else HeatCell(kind="blank")
                )
                continue
            url = f"{link}#nhiem-vu-{task.number}"
            level = section["level"]
            if section["report__status"] == ReportStatus.DRAFT:
                label = f"{drafting} ({labels[level]})" if level else drafting
                cells.append(HeatCell(kind="draft", label=label, short="…", url=url))
            elif level in labels:
                cells.append(
                    HeatCell(kind=level, label=labels[level], short=shorts[level], url=url)
                )
            else:
                cells.append(HeatCell(kind="unrated", label=unrated, short="?", url=url))
        result.append(HeatRow(organisation=org, cells=cells))
    return HeatMap(tasks=tasks, rows=result)


def history_of(
    cycle: ReportingCycle,
    rows: list[OrganisationRow],
    predecessors: dict[int, list[Organisation]] | None = None,
) -> History:
    """Organisations × years: each year's report status, the organisation's own and, in
    the years before it existed, its predecessors' (a merger's new committee shows what
    the committees it replaced reported). Three queries; two when the dashboard gives
    the predecessors."""
    cycles = list(ReportingCycle.objects.filter(plan_id=cycle.plan_id).order_by("year"))
    by_id = {c.pk: c for c in cycles}
    by_id[cycle.pk] = cycle
    for other in by_id.values():  # one plan object: its reporting lines are read once
        other.plan = cycle.plan
    cycles = [by_id[c.pk] for c in cycles]
    if predecessors is None:  # unless the dashboard read them already
        predecessors = predecessors_of(r.organisation.pk for r in rows)
    names = {p.pk: p for line in predecessors.values() for p in line}
    listed = {r.organisation.pk: r.organisation for r in rows}
    reports = {}
    for report in AnnualReport.objects.filter(
        cycle__plan_id=cycle.plan_id,
        organisation_id__in=[*listed, *names],
    ).only("pk", "cycle_id", "organisation_id", "status", "first_submitted_at"):
        report.cycle = by_id[report.cycle_id]  # so on_time needs no query
        # on_time reads the organisation's kind (its level's due date): the row's own, or
        # the predecessor's, under whose name an earlier report is shown.
        report.organisation = names.get(report.organisation_id) or listed[report.organisation_id]
        reports[(report.organisation_id, report.cycle_id)] = report
    _present_history(reports.values())
    return History(
        cycles=cycles,
        rows=[
            HistoryRow(
                organisation=row.organisation,
                cells=[reports.get((row.organisation.pk, c.pk)) for c in cycles],
                inherited=[
                    [
                        found
                        for p in predecessors.get(row.organisation.pk, [])
                        if (found := reports.get((p.pk, c.pk))) is not None
                    ]
                    for c in cycles
                ],
            )
            for row in rows
        ],
    )


_PLACEHOLDER = 987654321  # a report id no report has: every link from one reverse()


def _present_history(reports: Iterable[AnnualReport]) -> None:
    """What each cell prints, once per page rather than a template tag per cell: the
    report's link from one ``reverse()``, its badge (translated once per status), and
    whether it came late."""
    detail = reverse("reports:report_detail", args=[_PLACEHOLDER])
    badges: dict[str, str] = {}
    for report in reports:
        report.link = detail.replace(str(_PLACEHOLDER), str(report.pk))
        if report.status not in badges:
            badges[report.status] = status_badge_html(report)
        report.badge = badges[report.status]
        report.came_late = report.on_time is False
