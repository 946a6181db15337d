"""What the yearly summary's draft is composed from, read in a fixed number of queries.

Each reader returns a bounded number of rows, whatever the number of organisations: a
draft quotes a few units, never all of them (at a nation's size a report quoting 50,000
committees would be unreadable), and counts the rest in the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Length, RowNumber
from django.urls import reverse

from reports.documents.safe_text import strip_control
from reports.figures.definitions import counted_statuses, node_or_top
from reports.models import (
    AnnualReport,
    ContributionPart,
    ContributionStatus,
    ReportingCycle,
    TaskSection,
)

# How long a quote may be before it is cut at a word (characters).
QUOTE_LENGTH = 300


@dataclass(frozen=True)
class Quote:
    """A short passage of a unit's report, with the page of the report it came from."""

    unit: str
    text: str
    url: str
    task: int | None = None  # the task's number, for a section's passage

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ContributionSource:
    """A contributing body's sent text on one task (or on the plan as a whole)."""

    unit: str
    text: str
    sent_at: object  # datetime; kept loose so that the page localises it


def shorten(text: str, limit: int = QUOTE_LENGTH) -> str:
    """The text's first non-empty line, cut at a word before ``limit`` characters."""
    text = strip_control(text)
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = " ".join(line.split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"


def counted_reports(cycle: ReportingCycle, include_submitted: bool) -> QuerySet[AnnualReport]:
    """The reports whose words and figures the province's summary counts: those addressed
    to the plan's top committee (its own line, as ``indicator_totals`` counts them), in the
    counted statuses. A grassroots unit's report counts in its district's, not here."""
    return AnnualReport.objects.filter(
        cycle=cycle,
        status__in=counted_statuses(include_submitted),
        reports_to_id__in=node_or_top(cycle.plan, None).line,
    )


def _report_url(report_id: int, task_number: int | None = None) -> str:
    url = reverse("reports:report_detail", args=[report_id])
    return f"{url}#nhiem-vu-{task_number}" if task_number else url


def section_quotes_by_task(
    reports: QuerySet[AnnualReport], field: str, per_task: int
) -> dict[int, list[Quote]]:
    """Up to ``per_task`` passages of ``field`` for each task, by task id: the longest
    texts first (they say most), then by organisation code. One query (a window)."""
    rows = (
        TaskSection.objects.filter(report__in=reports)
        .exclude(**{field: ""})
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("task_id")],
                order_by=[Length(field).desc(), F("report__organisation__code").asc()],
            )
        )
        .filter(rank__lte=per_task)
        .order_by("task__number", "rank")
        .values_list(
            "task_id",
            "task__number",
            "report_id",
            "report__organisation__name",
            "report__organisation__short_name",
            field,
        )
    )
    quotes: dict[int, list[Quote]] = {}
    for task_id, number, report_id, name, short, text in rows:
        passage = shorten(text)
        if passage:
            quotes.setdefault(task_id, []).append(
                Quote(short or name, passage, _report_url(report_id, number), number)
            )
    return quotes


def section_quotes(reports: QuerySet[AnnualReport], field: str, limit: int) -> list[Quote]:
    """Up to ``limit`` passages of ``field`` over every task, by task then organisation."""
    rows = (
        TaskSection.objects.filter(report__in=reports)
        .exclude(**{field: ""})
        .order_by("task__number", "report__organisation__code")
        .values_list(
            "task__number",
            "report_id",
            "report__organisation__name",
            "report__organisation__short_name",
            field,
        )[:limit]
    )
    return [
        Quote(short or name, shorten(text), _report_url(report_id, number), number)
        for number, report_id, name, short, text in rows
        if shorten(text)
    ]


def report_quotes(reports: QuerySet[AnnualReport], field: str, limit: int) -> list[Quote]:
    """Up to ``limit`` passages of a report-level ``field`` (leadership, proposals)."""
    rows = (
        reports.exclude(**{field: ""})
        .order_by("organisation__code")
        .values_list("pk", "organisation__name", "organisation__short_name", field)[:limit]
    )
    return [
        Quote(short or name, shorten(text), _report_url(pk))
        for pk, name, short, text in rows
        if shorten(text)
    ]


def how_many_said(reports: QuerySet[AnnualReport]) -> dict[str, int]:
    """How many counted reports wrote something in each part the draft quotes. Two
    queries."""
    said = reports.aggregate(
        leadership=Count("pk", filter=~Q(leadership="")),
        proposals=Count("pk", filter=~Q(proposals="")),
    )
    said |= TaskSection.objects.filter(report__in=reports).aggregate(
        limitations=Count("report_id", filter=~Q(limitations=""), distinct=True),
        causes=Count("report_id", filter=~Q(causes=""), distinct=True),
        next_steps=Count("report_id", filter=~Q(next_steps=""), distinct=True),
    )
    return said


def contributions_for_summary(cycle: ReportingCycle) -> dict[int | None, list[ContributionSource]]:
    """The contributing bodies' sent texts for the cycle, by task number (None: on the
    plan as a whole), in organisation order. One query; drafts not yet sent are left out."""
    rows = (
        ContributionPart.objects.filter(
            contribution__cycle=cycle, contribution__status=ContributionStatus.SENT
        )
        .exclude(text="")
        .order_by("contribution__organisation__code", "task__number")
        .values_list(
            "task__number",
            "contribution__organisation__name",
            "contribution__organisation__short_name",
            "text",
            "contribution__sent_at",
        )
    )
    result: dict[int | None, list[ContributionSource]] = {}
    for number, name, short, text, sent_at in rows:
        result.setdefault(number, []).append(ContributionSource(short or name, text, sent_at))
    return result
