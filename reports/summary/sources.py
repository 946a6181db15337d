"""What the yearly summary's draft is composed from, read in a fixed number of queries.

Each reader returns a bounded number of rows, whatever the number of organisations: a
draft quotes a few units, never all of them (at a nation's size a report quoting 50,000
committees would be unreadable), and counts the rest in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Length, RowNumber
from django.urls import reverse

from organisations.models import Organisation
from organisations.ordering import usual_order
from organisations.selectors import organisation_names_on
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


UNIT = ("id", "name", "short_name", "name_since")


def _units(prefix: str) -> list[str]:
    return [f"{prefix}{field}" for field in UNIT]


def names_on(rows: list[tuple], day: dt.date, *, short: bool = True) -> dict[int, str]:
    """The names the units of ``rows`` (each starting with an organisation's id, name,
    short name and name_since) bore on ``day``, by id: a report is quoted under the name
    it was written under (DESIGN §8). A query only when one was renamed since."""
    organisations = [
        Organisation(pk=pk, name=name, short_name=short_name, name_since=since)
        for pk, name, short_name, since, *_rest in rows
    ]
    return {
        pk: (named.display_name if short else named.name)
        for pk, named in organisation_names_on(organisations, day).items()
    }


def section_quotes_by_task(
    reports: QuerySet[AnnualReport], field: str, per_task: int, day: dt.date
) -> dict[int, list[Quote]]:
    """Up to ``per_task`` passages of ``field`` for each task, by task id: the longest
    texts first (they say most), then by organisation code. One query (a window)."""
    rows = list(
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
            *_units("report__organisation__"), "task_id", "task__number", "report_id", field
        )
    )
    names = names_on(rows, day)
    quotes: dict[int, list[Quote]] = {}
    for pk, _name, _short, _since, task_id, number, report_id, text in rows:
        passage = shorten(text)
        if passage:
            quotes.setdefault(task_id, []).append(
                Quote(names[pk], passage, _report_url(report_id, number), number)
            )
    return quotes


def section_quotes(
    reports: QuerySet[AnnualReport], field: str, limit: int, day: dt.date
) -> list[Quote]:
    """Up to ``limit`` passages of ``field`` over every task: by task, the fullest first,
    then in the usual order of organisations."""
    rows = list(
        TaskSection.objects.filter(report__in=reports)
        .exclude(**{field: ""})
        # The fullest passages first: a bounded number are quoted.
        .order_by("task__number", Length(field).desc(), *usual_order("report__organisation__"))
        .values_list(*_units("report__organisation__"), "task__number", "report_id", field)[:limit]
    )
    names = names_on(rows, day)
    return [
        Quote(names[pk], shorten(text), _report_url(report_id, number), number)
        for pk, _name, _short, _since, number, report_id, text in rows
        if shorten(text)
    ]


def report_quotes(
    reports: QuerySet[AnnualReport], field: str, limit: int, day: dt.date
) -> list[Quote]:
    """Up to ``limit`` passages of a report-level ``field`` (leadership, proposals)."""
    rows = list(
        reports.exclude(**{field: ""})
        .order_by(*usual_order("organisation__"))
        .values_list(*_units("organisation__"), "pk", field)[:limit]
    )
    names = names_on(rows, day)
    return [
        Quote(names[pk], shorten(text), _report_url(report_pk))
        for pk, _name, _short, _since, report_pk, text in rows
        if shorten(text)
    ]


def unit_names(organisations: QuerySet[Organisation], limit: int, day: dt.date) -> list[str]:
    """The full names, on ``day``, of the first ``limit`` of the organisations."""
    rows = list(organisations.order_by(*usual_order()).values_list(*UNIT)[:limit])
    names = names_on(rows, day, short=False)
    return [names[row[0]] for row in rows]


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
        .order_by(*usual_order("contribution__organisation__"), "task__number")
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
