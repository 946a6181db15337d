"""Random cycles, checked against figures computed here from scratch.

Each seed builds organisations that open and close around the reporting period, and
reports driven through the real services into every state (not started, draft, on time,
late, returned, resubmitted, accepted, reopened) with random valid figures. The expected
figures are computed in plain Python from what the test itself did — never with
reports.figures — and compared with the dashboard, its spreadsheet and the rollup.
"""

import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from organisations.models import Organisation
from reports.figures import tallies
from reports.figures.content import missing_wholes
from reports.models import Level
from reports.services.reports import (
    report_accept,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from tasks.models import Indicator, ReportingScope
from tests.reports.factories import full_content, make_cycle, make_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SEEDS = [11, 23, 37, 41, 59]
YEAR = 2026
DUE = dt.date(YEAR, 12, 15)
END_OF_DUE_DAY = dt.datetime(YEAR, 12, 15, 23, 59, 59, 999999, tzinfo=ZONE)
READ_ON = dt.datetime(YEAR + 1, 1, 10, 9, tzinfo=ZONE)

# (valid_from, valid_to) around the 2026 period, and whether that makes an organisation
# expected to report: always, never, or only if it submitted before closing (it has no
# successor). The edges are the first and the last day of the period.
IF_SUBMITTED = "if_submitted"
VALIDITY = {
    "open": (None, None, True),
    "closed_the_day_before": (None, dt.date(YEAR - 1, 12, 31), False),
    "closed_long_before": (dt.date(2010, 1, 1), dt.date(YEAR - 2, 6, 30), False),
    "closed_on_the_first_day": (None, dt.date(YEAR, 1, 1), IF_SUBMITTED),
    "closed_during": (None, dt.date(YEAR, 6, 30), IF_SUBMITTED),
    "closed_on_the_last_day": (None, dt.date(YEAR, 12, 31), True),
    "opened_on_the_last_day": (dt.date(YEAR, 12, 31), None, True),
    "opened_after": (dt.date(YEAR + 1, 1, 1), None, False),
}
KINDS = ["district_committee", "affiliated_committee", "mass_organisation", "advisory_body"]
STATES = ["none", "draft", "on_time", "late", "returned", "resubmitted", "accepted", "reopened"]


@dataclass
class Record:
    """What the test did to one organisation's report."""

    organisation: Organisation
    status: str = ""  # "" when no report was started
    first_submitted_at: dt.datetime | None = None
    figures: dict[str, Decimal | None] = field(default_factory=dict)


def percent(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(0)
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def random_moment(rng: random.Random, *, late: bool) -> dt.datetime:
    """A first submission on time (up to the very last second of the due day) or late
    (from the very first second after it)."""
    if late:
        edge = END_OF_DUE_DAY + dt.timedelta(microseconds=1)
        return rng.choice([edge, edge + dt.timedelta(days=rng.randint(0, 15), hours=3)])
    return rng.choice(
        [END_OF_DUE_DAY, END_OF_DUE_DAY - dt.timedelta(days=rng.randint(0, 20), hours=5)]
    )


def random_figures(rng: random.Random, report, plan) -> dict[str, Decimal | None]:
    """Random figures for the report's indicators that keep every rule of the plan."""
    codes = list(report.values.values_list("indicator__code", flat=True))
    optional = set(
        Indicator.objects.filter(plan=plan, required=False).values_list("code", flat=True)
    )
    figures: dict[str, Decimal | None] = {
        code: (None if code in optional and rng.random() < 0.3 else Decimal(rng.randint(0, 60)))
        for code in codes
    }
    rules = [r for r in plan.rules.all() if r.codes() <= set(codes)]
    for rule in rules:  # a part given needs its whole (reports.figures.content)
        for code in missing_wholes(rule, figures):
            figures[code] = Decimal(rng.randint(0, 60))
    for _ in range(20):
        broken = [r for r in rules if r.holds(figures) is False]
        if not broken:
            return figures
        for rule in broken:  # this plan's rules are all "parts ≤ whole"
            left = sum(figures[c] for c in rule.parts)
            right = sum(figures[c] for c in rule.whole)
            figures[rule.whole[0]] += left - right
    raise AssertionError("could not satisfy the plan's rules")


def write(rng, report, plan, actor, *, submit: bool, when: dt.datetime):
    content = full_content(report)
    content.figures = random_figures(rng, report, plan)
    for section in content.sections.values():
        section.level = rng.choice(Level.values)
    with time_machine.travel(when, tick=False):
        service = report_submit if submit else report_save
        report = service(report=report, content=content, version=report.version, actor=actor)
    return report, content.figures


def play(rng, cycle, organisation, actor, state: str) -> Record:
    """Drive one organisation's report into a state through the services."""
    plan = cycle.plan
    record = Record(organisation=organisation)
    if state == "none":
        return record
    with time_machine.travel(dt.datetime(YEAR, 11, 1, tzinfo=ZONE), tick=False):
        report = make_report(cycle, organisation, actor)
    if state == "draft":
        report, record.figures = write(
            rng, report, plan, actor, submit=False, when=random_moment(rng, late=False)
        )
        record.status = "draft"
        return record
    first = random_moment(rng, late=state == "late" or rng.random() < 0.4)
    report, record.figures = write(rng, report, plan, actor, submit=True, when=first)
    record.first_submitted_at = first
    record.status = "submitted"
    if state in ("returned", "resubmitted"):
        report = report_return(report=report, comment="Bổ sung.", actor=actor)
        record.status = "returned"
    if state == "resubmitted":
        again = first + dt.timedelta(days=rng.randint(1, 10))
        report, record.figures = write(rng, report, plan, actor, submit=True, when=again)
        record.status = "submitted"
        if rng.random() < 0.5:
            report = report_accept(report=report, actor=actor)
            record.status = "accepted"
    if state in ("accepted", "reopened"):
        report = report_accept(report=report, actor=actor)
        record.status = "accepted"
    if state == "reopened":
        report_reopen(report=report, reason="Sửa số liệu.", actor=actor)
        record.status = "returned"
    return record


def candidate_organisation_ids(plan, start: dt.date, end: dt.date) -> set[int]:
    """Organisations in the plan's scope that existed during the period and report to the
    province (their parent is the top of the tree), in plain Python: those that may be
    expected at the province's level (``expected_ids`` below applies the rest of the rule)."""
    scopes = list(ReportingScope.objects.filter(plan=plan).values_list("organisation_id", "kind"))
    result = set()
    for org in Organisation.objects.select_related("parent"):
        in_scope = any(org.pk == org_id or (kind and org.kind == kind) for org_id, kind in scopes)
        in_scope = in_scope and org.parent is not None and org.parent.parent_id is None
        active = (org.valid_from is None or org.valid_from <= end) and (
            org.valid_to is None or org.valid_to >= start
        )
        if in_scope and active:
            result.add(org.pk)
    return result


def totals(records: list[Record], statuses: set[str], indicators) -> dict[str, tuple]:
    """Per indicator: (total, how many reports gave it) over the counted reports."""
    result = {}
    for indicator in indicators:
        values = [
            r.figures[indicator.code]
            for r in records
            if r.status in statuses and r.figures.get(indicator.code) is not None
        ]
        if not values:
            result[indicator.code] = (None, 0)
        elif indicator.aggregation == "average":
            average = sum(values) / len(values)
            result[indicator.code] = (average.quantize(Decimal("0.01"), ROUND_HALF_UP), len(values))
        elif indicator.aggregation == "max":
            result[indicator.code] = (max(values), len(values))
        else:
            result[indicator.code] = (sum(values), len(values))
    return result


@pytest.mark.parametrize("seed", SEEDS)
def test_random_cycles_agree_with_figures_computed_from_scratch(
    seed, plan, reviewer, leader, organisations, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    rng = random.Random(seed)
    validity = {}
    extras = []
    for i in range(rng.randint(3, 6)):
        name = rng.choice(list(VALIDITY))
        valid_from, valid_to, _expected = VALIDITY[name]
        validity[f"R-{i}"] = name
        province = Organisation.objects.get(code="TV-TU")
        extras.append(
            Organisation.objects.create(
                code=f"R-{i}",
                name=f"Đơn vị ngẫu nhiên {i} ({name})",
                kind=rng.choice(KINDS),
                parent=province,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    old = make_cycle(plan, reviewer, year=YEAR - 1)
    cycle = make_cycle(plan, reviewer, year=YEAR, due=DUE)
    candidate_ids = candidate_organisation_ids(plan, cycle.period_start, cycle.period_end)
    for org in extras:
        # Mass organisations and advisory bodies contribute; they are never expected.
        in_scope = org.kind not in ("advisory_body", "mass_organisation")
        assert (org.pk in candidate_ids) == (
            in_scope and VALIDITY[validity[org.code]][2] is not False
        ), org

    # Last year: a few accepted or submitted reports, for the previous-year column.
    old_records = []
    for org in rng.sample(sorted(organisations.values(), key=lambda o: o.code), 4):
        if org.pk in candidate_organisation_ids(plan, old.period_start, old.period_end):
            old_records.append(play(rng, old, org, reviewer, rng.choice(["accepted", "on_time"])))
    # This year: every organisation that may be expected in a random state.
    played = {}
    for org in Organisation.objects.filter(pk__in=candidate_ids).order_by("code"):
        played[org.pk] = play(rng, cycle, org, reviewer, rng.choice(STATES))
    # DESIGN §5's rule (reports.figures.definitions): existing on the last day, or closed
    # during the period after submitting, none of these having a successor.
    expected_ids = {
        pk
        for pk, record in played.items()
        if record.organisation.valid_to is None
        or record.organisation.valid_to >= cycle.period_end
        or record.first_submitted_at is not None
    }
    for org in extras:
        if VALIDITY[validity[org.code]][2] == IF_SUBMITTED and org.pk in played:
            assert (org.pk in expected_ids) == (played[org.pk].first_submitted_at is not None)
    records = {pk: record for pk, record in played.items() if pk in expected_ids}

    # The figures, from what was done.
    submitted = [r for r in records.values() if r.first_submitted_at is not None]
    expected = len(expected_ids)
    actual = len(submitted)
    on_time = sum(1 for r in submitted if r.first_submitted_at <= END_OF_DUE_DAY)
    accepted = sum(1 for r in records.values() if r.status == "accepted")

    with time_machine.travel(READ_ON, tick=False):
        client = client_for(reviewer)
        page = client.get(reverse("reports:dashboard", args=[cycle.pk]))
        workbook = load_workbook(
            io.BytesIO(
                client.get(reverse("reports:dashboard_export", args=[cycle.pk, "xlsx"])).content
            )
        )
        client = client_for(leader)
        rollups = {
            include: client.get(
                reverse("reports:rollup", args=[plan.code])
                + ("?tinh_ca_chua_duyet=1" if include else "")
            ).context["rollup"]
            for include in (False, True)
        }
        rollup_sheet = load_workbook(
            io.BytesIO(
                client.get(
                    reverse("reports:rollup_export", args=[plan.code, "xlsx"])
                    + "?tinh_ca_chua_duyet=1"
                ).content
            )
        )["Chỉ tiêu"]

    # The dashboard's figures and rows.
    figures = page.context["figures"]
    assert (figures.expected, figures.actual, figures.on_time, figures.accepted) == (
        expected,
        actual,
        on_time,
        accepted,
    )
    assert figures.late == actual - on_time
    assert figures.missing == expected - actual
    rates = (percent(actual, expected), percent(on_time, expected), percent(accepted, expected))
    assert (figures.completeness, figures.timeliness, figures.acceptance) == rates
    assert all(Decimal(0) <= rate <= Decimal(100) for rate in rates)
    # The status chart: every expected organisation in exactly one slice.
    by_status = Counter(record.status or "not_started" for record in records.values())
    slices = {item.key: item.count for item in page.context["board"].status_counts}
    assert slices == {key: by_status.get(key, 0) for key in slices}
    assert sum(slices.values()) == expected
    rows = {row.organisation.pk: row for row in page.context["rows"]}
    assert set(rows) == expected_ids
    days_late = {}
    for pk, record in records.items():
        if record.first_submitted_at is None:
            days_late[pk] = 26  # read on 10 January: 26 days after 15 December
        elif record.first_submitted_at > END_OF_DUE_DAY:
            days_late[pk] = (record.first_submitted_at.astimezone(ZONE).date() - DUE).days
            assert days_late[pk] >= 1
        else:
            days_late[pk] = None
        row = rows[pk]
        assert row.submitted == (record.first_submitted_at is not None)
        assert row.state == (record.status if row.submitted else "missing")
        assert row.days_late == days_late[pk]

    # The spreadsheet's figures and rows.
    sheet = workbook["Tình hình báo cáo"]
    found = {
        sheet.cell(row=3, column=c).value: sheet.cell(row=4, column=c).value for c in range(2, 11)
    }
    assert found["Phải báo cáo"] == expected
    assert found["Đã nộp"] == actual
    assert found["Đúng hạn"] == on_time
    assert found["Quá hạn"] == actual - on_time
    assert found["Chưa nộp"] == expected - actual
    assert found["Đã tiếp nhận"] == accepted
    for label, rate in zip(
        ("Tỷ lệ đầy đủ", "Tỷ lệ đúng hạn", "Tỷ lệ tiếp nhận"), rates, strict=True
    ):
        assert found[label] == pytest.approx(float(rate) / 100)
        assert found[label] <= 1
    table = list(sheet.iter_rows(min_row=7, values_only=True))
    assert len(table) == expected
    by_name = {line[1]: line for line in table}
    for pk in records:
        line = by_name[rows[pk].organisation.name]
        assert line[6] == days_late[pk]
        assert (line[5] is None) == (records[pk].first_submitted_at is None)

    # The rollup, accepted only and with the submitted ones: its running totals, kept by
    # every transition played above, equal the reports recounted from scratch.
    assert tallies.differences(cycle) == []
    assert tallies.differences(old) == []
    indicators = list(Indicator.objects.filter(plan=plan))
    all_records = list(played.values())  # the tallies count every report, expected or not
    for include, statuses in ((False, {"accepted"}), (True, {"accepted", "submitted"})):
        want = totals(all_records, statuses, indicators)
        want_previous = totals(old_records, statuses, indicators)
        got = rollups[include].totals.by_code()
        assert set(got) == set(want)
        for code, (value, count) in want.items():
            assert got[code].value == value, (include, code)
            assert got[code].reports == count, (include, code)
            assert got[code].previous == want_previous[code][0], (include, code)
    with_submitted = totals(all_records, {"accepted", "submitted"}, indicators)
    for line in rollup_sheet.iter_rows(min_row=5, values_only=True):
        value, count = with_submitted[line[-1]]
        assert line[3] == (None if value is None else float(value))
        assert line[7] == count
