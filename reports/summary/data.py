"""What the yearly summary's documents are made of, and the formatting they share."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation
from organisations.ordering import usual_order
from organisations.tree import top_of
from reports.documents.party import (
    Issuer,
    Rules,
    Signer,
    issuer_on,
    on_date,
    rules_for,
    summary_issuer_of,
)
from reports.figures.content import format_figure
from reports.figures.definitions import (
    CycleFigures,
    counted_statuses,
    cycle_figures,
    expected_organisations,
    previous_cycle,
)
from reports.figures.totals import Totals, indicator_totals
from reports.models import (
    NOT_STARTED_LABEL,
    AnnualReport,
    DraftPart,
    IndicatorValue,
    ReportingCycle,
    ReportStatus,
    YearlySummary,
)
from tasks.models import Plan, Task

logger = logging.getLogger(__name__)


# What the documents are made of ---------------------------------------------------------


# The build's steps, as the page shows them while it runs.
def steps() -> dict[str, str]:
    return {
        "figures": _("Đang tính số liệu tổng hợp…"),
        "tasks": _("Đang tổng hợp kết quả theo nhiệm vụ…"),
        "docx": _("Đang tạo tệp Word…"),
        "xlsx": _("Đang tạo tệp Excel…"),
        "pdf": _("Đang tạo tệp PDF…"),
    }


CHUNK = 2000  # rows read from the database at a time


@dataclass(frozen=True)
class ExpectedRow:
    code: str
    name: str
    short_name: str
    status: str  # a ReportStatus value, "" when the organisation has not started
    first_submitted_at: dt.datetime | None
    on_time: bool | None
    days_late: int

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def submitted(self) -> bool:
        return self.first_submitted_at is not None


@dataclass
class SummaryData:
    """Everything the Word and Excel files show, with streams for the counted reports."""

    summary: YearlySummary
    cycle: ReportingCycle
    plan: Plan
    top: Organisation  # the province committee at the top of the issuer's tree
    built_at: dt.datetime
    figures: CycleFigures
    totals: Totals
    previous: ReportingCycle | None
    tasks: list[Task]
    expected: list[ExpectedRow]
    counted: int  # how many reports the totals and texts are taken from
    # The draft's parts in order (reports.summary.services), as Ban Tổ chức edited them:
    # the Word file's text.
    parts: list[DraftPart] = field(default_factory=list)

    @property
    def statuses(self) -> tuple[str, ...]:
        return counted_statuses(self.summary.include_submitted)

    @property
    def number(self) -> str:
        return self.summary.number

    @property
    def day(self) -> dt.date:
        """The date the document bears: the day it was built."""
        return timezone.localtime(self.built_at).date()

    @cached_property
    def rules(self) -> Rules:
        return rules_for(self.day)

    @cached_property
    def issuer(self) -> Issuer:
        """Who issues the summary on its date: the body of the top committee marked as its
        issuer (Ban Tổ chức, plan section III.3), else the committee itself; followed
        through the reorganisations to the bodies that existed that day."""
        body = summary_issuer_of(self.top, self.day) or self.top
        return issuer_on(body, self.day)

    @cached_property
    def committee(self) -> Organisation:
        """The top committee as it was on the document's date."""
        return on_date(self.top, self.day)

    @property
    def signer(self) -> Signer:
        """The signer typed with this build, else the issuing body's default from data."""
        issuer, summary = self.issuer, self.summary
        return Signer(
            authority=issuer.authority_line(summary.signer_authority)
            if summary.signer_authority
            else issuer.signer.authority,
            title=summary.signer_title.upper() or issuer.signer.title,
            name=summary.signer_name or issuer.signer.name,
        )

    @property
    def place(self) -> str:
        return self.issuer.place

    @property
    def late(self) -> list[ExpectedRow]:
        return [row for row in self.expected if row.submitted and not row.on_time]

    @property
    def missing(self) -> list[ExpectedRow]:
        return [row for row in self.expected if not row.submitted]

    def counted_reports(self):
        return AnnualReport.objects.filter(cycle=self.cycle, status__in=self.statuses)

    def report_rows(self) -> Iterator[tuple[int, str, str, str]]:
        """(report id, organisation code, organisation name, status) in the usual order
        of organisations (organisations.ordering)."""
        rows = (
            self.counted_reports()
            .order_by(*usual_order("organisation__"), "pk")
            .values_list("pk", "organisation__code", "organisation__name", "status")
        )
        return rows.iterator(CHUNK)

    def values(self) -> Iterator[tuple[int, int, Decimal]]:
        """(report id, indicator id, value) of the counted reports, in report_rows order."""
        rows = (
            IndicatorValue.objects.filter(
                report__cycle=self.cycle, report__status__in=self.statuses, value__isnull=False
            )
            .order_by(*usual_order("report__organisation__"), "report_id", "indicator_id")
            .values_list("report_id", "indicator_id", "value")
        )
        return rows.iterator(CHUNK)

    def as_json(self) -> dict:
        """The figures the files were built from, kept with the summary."""
        figures = self.figures

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "year": self.cycle.year,
            "previous_year": self.previous.year if self.previous else None,
            "include_submitted": self.summary.include_submitted,
            "counted_reports": self.counted,
            "cycle": {
                "expected": figures.expected,
                "actual": figures.actual,
                "on_time": figures.on_time,
                "late": figures.late,
                "missing": figures.missing,
                "accepted": figures.accepted,
                "completeness": str(figures.completeness),
                "timeliness": str(figures.timeliness),
                "acceptance": str(figures.acceptance),
            },
            "indicators": [
                {
                    "code": row.indicator.code,
                    "name": row.indicator.name,
                    "unit": row.indicator.unit,
                    "value": text(row.value),
                    "previous": text(row.previous),
                    "reports": row.reports,
                }
                for row in self.totals.rows
            ],
        }


def _expected_rows(cycle: ReportingCycle) -> list[ExpectedRow]:
    """Every expected organisation with its report's submission, in two queries. Only
    the expected organisations' reports are read: the cycle holds the reports of every
    level below too, tens of thousands in a nation."""
    expected = expected_organisations(cycle)
    reports = {
        organisation_id: (status, first)
        for organisation_id, status, first in AnnualReport.objects.filter(
            cycle=cycle, organisation__in=expected.order_by().values("pk")
        )
        .values_list("organisation_id", "status", "first_submitted_at")
        .iterator(CHUNK)
    }
    rows = []
    organisations = expected.order_by(*usual_order()).values_list(
        "pk", "code", "name", "short_name", "kind"
    )
    for pk, code, name, short, kind in organisations.iterator(CHUNK):
        status, first = reports.get(pk, ("", None))
        # The report model holds the definitions of on time and days late.
        probe = AnnualReport(
            cycle=cycle, organisation=Organisation(kind=kind), first_submitted_at=first
        )
        rows.append(
            ExpectedRow(
                code=code,
                name=name,
                short_name=short,
                status=status,
                first_submitted_at=first,
                on_time=probe.on_time,
                days_late=probe.days_late if first else 0,
            )
        )
    return rows


def summary_data(summary: YearlySummary) -> SummaryData:
    cycle = summary.cycle
    previous = previous_cycle(cycle)
    return SummaryData(
        summary=summary,
        cycle=cycle,
        plan=cycle.plan,
        top=top_of(cycle.plan.issuer_id),
        built_at=timezone.now(),
        figures=cycle_figures(cycle),
        totals=indicator_totals(
            cycle, include_submitted=summary.include_submitted, previous=previous
        ),
        previous=previous,
        tasks=list(Task.objects.filter(plan_id=cycle.plan_id).order_by("number")),
        expected=_expected_rows(cycle),
        counted=AnnualReport.objects.filter(
            cycle=cycle, status__in=counted_statuses(summary.include_submitted)
        ).count(),
    )


# Formatting shared by the Word and Excel files ------------------------------------------


def number(value: int | Decimal | None) -> str:
    """1.234 or 12,5 — Vietnamese separators."""
    if value is None:
        return ""
    return format_figure(Decimal(value))


def percent(value: Decimal) -> str:
    return f"{format_figure(value)}%"


def status_label(value: str) -> str:
    if value in ReportStatus.values:
        return str(ReportStatus(value).label)
    return str(NOT_STARTED_LABEL)
