"""The rows of the leaders' rollup, ready to show: an indicator's total against last
year's, the levels of a task, the organisations compared, a year of the trend and an
indicator at two levels of the cascade."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from organisations.models import Organisation
from reports.dashboards.common import percent_text, signed_figure_text, signed_percent_text
from reports.figures.content import format_figure
from reports.figures.definitions import CycleFigures
from reports.figures.totals import IndicatorTotal
from reports.models import ReportingCycle
from tasks.models import Indicator, Task


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
        # A part against a whole is no change: say what each year holds (Coverage).
        if self.total.partial and self.total.coverage is not None:
            return self.total.coverage.text
        return signed_figure_text(self.total.change)

    @property
    def change_percent_text(self) -> str:
        if self.total.partial:
            return ""
        return signed_percent_text(self.total.change_percent)

    @property
    def trend(self) -> str:
        change = self.total.change
        if not change or self.total.partial:
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


@dataclass(frozen=True)
class LevelLine:
    """One indicator at two levels: the reports addressed to the node itself, and the
    reports addressed to the committees that report to it (the level below)."""

    indicator: Indicator
    own: Decimal | None
    own_reports: int
    below: Decimal | None
    below_reports: int

    @property
    def own_text(self) -> str:
        return format_figure(self.own)

    @property
    def below_text(self) -> str:
        return format_figure(self.below)
