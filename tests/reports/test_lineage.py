"""Organisations that open, close, merge or split: who a cycle expects, who is reminded
(the rule is written in ``reports.figures.definitions``)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation, OrganisationKind, Role
from reports.figures.definitions import cycle_figures, cycles_figures, expected_organisations
from reports.figures.deliverables import LATE, ON_TIME, OVERDUE, subplan_bucket, with_bucket
from reports.figures.totals import indicator_totals
from reports.models import CycleStatus, Reminder, ReportingCycle
from reports.notifications.reminders import (
    ReminderRefused,
    deadline_reminders_run,
    reminder_send_now,
    unsubmitted_organisations,
)
from reports.services.reports import report_accept
from reports.summary.word import change_text as summary_change_text
from tests.conftest import make_user
from tests.reports.factories import make_cycle, make_report, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
END = dt.date(2026, 12, 31)  # the 2026 cycle's last day of period
DUE = dt.date(2026, 12, 15)


def new_committee(organisations, code: str, name: str, opened: dt.date) -> Organisation:
    return Organisation.objects.create(
        code=code,
        name=name,
        kind=OrganisationKind.DISTRICT_COMMITTEE,
        parent=organisations["TV-TU"],
        valid_from=opened,
    )


def close(organisation: Organisation, last_day: dt.date, successor=None) -> None:
    organisation.valid_to = last_day
    organisation.successor = successor
    organisation.save(update_fields=["valid_to", "successor"])


def merge(organisations, last_day: dt.date, codes=("TV-HCL", "TV-HCT")) -> Organisation:
    """Càng Long and Châu Thành close on last_day; a new committee opens the day after."""
    merged = new_committee(
        organisations, "TV-HCLCT", "Huyện ủy Càng Long - Châu Thành", last_day + dt.timedelta(1)
    )
    for code in codes:
        close(organisations[code], last_day, merged)
    return merged


def codes(cycle) -> set[str]:
    return set(expected_organisations(cycle).values_list("code", flat=True))


@pytest.fixture
def cycle(plan, reviewer):
    return make_cycle(plan, reviewer, year=2026, due=DUE)


@pytest.fixture
def before(cycle):
    """How many the cycle expects before any change."""
    return cycle_figures(cycle).expected


# Who is expected --------------------------------------------------------------------------


def test_merger_during_the_period_expects_the_new_committee_only(cycle, before, organisations):
    merge(organisations, dt.date(2026, 6, 30))

    expected = codes(cycle)
    assert "TV-HCLCT" in expected
    assert not {"TV-HCL", "TV-HCT"} & expected
    assert cycle_figures(cycle).expected == before - 1 == len(expected)


def test_merger_the_day_before_the_last_day_expects_the_successor_only(
    cycle, before, organisations
):
    merge(organisations, END - dt.timedelta(days=2))  # the new committee opens on 30/12

    assert "TV-HCLCT" in codes(cycle)
    assert not {"TV-HCL", "TV-HCT"} & codes(cycle)
    assert cycle_figures(cycle).expected == before - 1


def test_merger_effective_on_the_last_day_expects_the_successor_only(cycle, before, organisations):
    merge(organisations, END - dt.timedelta(days=1))  # the new committee exists on 31/12

    assert "TV-HCLCT" in codes(cycle)
    assert not {"TV-HCL", "TV-HCT"} & codes(cycle)
    assert cycle_figures(cycle).expected == before - 1


def test_merger_after_the_last_day_leaves_the_period_to_the_old_committees(
    cycle, before, organisations
):
    merge(organisations, END)  # they exist on 31/12; the new one opens on 01/01/2027

    assert {"TV-HCL", "TV-HCT"} <= codes(cycle)
    assert "TV-HCLCT" not in codes(cycle)
    assert cycle_figures(cycle).expected == before


def test_merger_after_the_due_date_leaves_the_period_to_the_old_committees(
    cycle, before, organisations, reporter
):
    merge(organisations, dt.date(2027, 1, 20))
    submitted_report(cycle, organisations["TV-HCL"], reporter)

    figures = cycle_figures(cycle)
    assert {"TV-HCL", "TV-HCT"} <= codes(cycle)
    assert (figures.expected, figures.actual) == (before, 1)


def test_committee_closed_after_submitting_stays_counted_when_no_successor_is_expected(
    cycle, before, organisations, reporter
):
    submitted_report(cycle, organisations["TV-HCL"], reporter)
    close(organisations["TV-HCL"], dt.date(2026, 9, 30))  # dissolved, nobody carries on

    figures = cycle_figures(cycle)
    assert "TV-HCL" in codes(cycle)
    assert (figures.expected, figures.actual) == (before, 1)
    assert figures.completeness <= 100


def test_committee_closed_after_submitting_is_not_counted_twice_beside_its_successor(
    cycle, before, organisations, reporter
):
    submitted_report(cycle, organisations["TV-HCL"], reporter)
    merged = merge(organisations, dt.date(2026, 6, 30))

    assert "TV-HCL" not in codes(cycle)
    assert merged.code in codes(cycle)
    figures = cycle_figures(cycle)
    assert (figures.expected, figures.actual) == (before - 1, 0)


def test_committee_closed_without_successor_and_without_report_is_not_expected(
    cycle, before, organisations, reporter
):
    make_report(cycle, organisations["TV-HCL"], reporter)  # a draft is not a report
    close(organisations["TV-HCL"], dt.date(2026, 3, 31))

    figures = cycle_figures(cycle)
    assert "TV-HCL" not in codes(cycle)
    assert (figures.expected, figures.draft) == (before - 1, 0)


def test_split_expects_both_heirs_and_not_the_divided_committee(cycle, before, organisations):
    opened = dt.date(2026, 4, 1)
    heir = new_committee(organisations, "TV-HCL-A", "Huyện ủy Càng Long A", opened)
    new_committee(organisations, "TV-HCL-B", "Huyện ủy Càng Long B", opened)
    close(organisations["TV-HCL"], opened - dt.timedelta(days=1), heir)

    assert {"TV-HCL-A", "TV-HCL-B"} <= codes(cycle)
    assert "TV-HCL" not in codes(cycle)
    assert cycle_figures(cycle).expected == before + 1


def test_rates_never_exceed_a_hundred_percent_after_a_merger(
    cycle, organisations, reporter, other_reporter
):
    for org in expected_organisations(cycle):
        submitted_report(cycle, org, reporter if org.code == "TV-HCL" else other_reporter)
    merge(organisations, dt.date(2026, 10, 31))

    figures = cycle_figures(cycle)
    assert figures.actual <= figures.expected
    assert figures.completeness <= 100
    assert figures.timeliness <= 100


def test_expected_figures_cost_the_same_queries_for_one_cycle_or_many(
    plan, reviewer, organisations
):
    cycles = [make_cycle(plan, reviewer, year=year) for year in (2024, 2025, 2026)]
    merge(organisations, dt.date(2025, 6, 30))
    cycles_figures(cycles[:1])  # the plan's lines and top committee, read once and kept
    with CaptureQueriesContext(connection) as one:
        cycles_figures(cycles[:1])
    with CaptureQueriesContext(connection) as three:
        figures = cycles_figures(cycles)
    assert len(three) == len(one)
    assert figures[cycles[0].pk].expected == figures[cycles[1].pk].expected + 1


# Reminders --------------------------------------------------------------------------------


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(7, 0), tzinfo=ZONE), tick=False)


def test_committee_closed_after_the_period_is_expected_but_no_longer_reminded(cycle, organisations):
    merge(organisations, dt.date(2027, 1, 5))

    assert "TV-HCL" in codes(cycle)
    still = set(
        unsubmitted_organisations(cycle, today=dt.date(2027, 1, 5)).values_list("code", flat=True)
    )
    after = set(
        unsubmitted_organisations(cycle, today=dt.date(2027, 1, 6)).values_list("code", flat=True)
    )
    assert "TV-HCL" in still
    assert "TV-HCL" not in after


def test_daily_run_does_not_remind_a_closed_committee(
    cycle, organisations, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    merge(organisations, dt.date(2027, 1, 5))
    day = dt.date(2027, 1, 12)  # 28 days after the due date: the weekly repeat
    with at(day), django_capture_on_commit_callbacks():
        deadline_reminders_run(today=day)

    reminded = set(Reminder.objects.values_list("organisation__code", flat=True))
    assert reminded
    assert not {"TV-HCL", "TV-HCT"} & reminded


def test_send_now_refuses_a_closed_committee(cycle, organisations, reviewer):
    merge(organisations, dt.date(2027, 1, 5))

    with at(dt.date(2027, 1, 6)), pytest.raises(ReminderRefused) as refused:
        reminder_send_now(cycle=cycle, organisation=organisations["TV-HCT"], actor=reviewer)
    assert "đã kết thúc hoạt động từ ngày 05/01/2027" in str(refused.value)
    assert not Reminder.objects.exists()


# History follows the lineage ----------------------------------------------------------------


def test_dashboard_history_shows_the_predecessors_years_on_the_successors_row(
    client_for, plan, reviewer, reporter, other_reporter, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    cl = submitted_report(old, organisations["TV-HCL"], reporter)
    make_report(old, organisations["TV-HCT"], other_reporter)
    merged = merge(organisations, dt.date(2026, 6, 30))
    cycle = make_cycle(plan, reviewer, year=2026)

    response = client_for(reviewer).get(reverse("reports:dashboard", args=[cycle.pk]))
    rows = {row.organisation.code: row for row in response.context["board"].history.rows}
    row = rows[merged.code]
    assert row.cells == [None, None]
    assert [{r.organisation.code for r in year} for year in row.inherited] == [
        {"TV-HCL", "TV-HCT"},
        set(),
    ]
    assert cl in row.inherited[0]
    history = reverse("reports:dashboard_panel", args=[cycle.pk, "lich-su"])
    html = client_for(reviewer).get(history, headers={"HX-Request": "true"}).content.decode()
    assert "(Huyện ủy Càng Long)" in html
    assert "(Huyện ủy Châu Thành)" in html


def test_dashboard_history_costs_the_same_queries_with_a_lineage(
    client_for, plan, reviewer, reporter, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    cycle = make_cycle(plan, reviewer, year=2026)
    url = reverse("reports:dashboard", args=[cycle.pk])
    client = client_for(reviewer)
    client.get(url)
    with CaptureQueriesContext(connection) as plain:
        client.get(url)
    submitted_report(old, organisations["TV-HCL"], reporter)
    merge(organisations, dt.date(2026, 6, 30))
    with CaptureQueriesContext(connection) as merged:
        client.get(url)
    assert len(merged) == len(plain)


def test_organisation_page_lists_its_predecessors_reports_under_their_names(
    client_for, plan, reviewer, reporter, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    report = submitted_report(old, organisations["TV-HCL"], reporter)
    merged = merge(organisations, dt.date(2026, 6, 30))

    response = client_for(reviewer).get(merged.get_absolute_url())
    html = response.content.decode()
    assert "Báo cáo qua các năm" in html
    assert report.get_absolute_url() in html
    assert "Huyện ủy Càng Long" in html
    assert "tổ chức tiền thân" in html


def test_organisation_page_shows_only_reports_the_user_may_read(
    client_for, plan, reviewer, reporter, other_reporter, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    report = submitted_report(old, organisations["TV-HCL"], reporter)
    merged = merge(organisations, dt.date(2026, 6, 30))

    html = client_for(other_reporter).get(merged.get_absolute_url()).content.decode()
    assert report.get_absolute_url() not in html


# Oversight follows the provinces ---------------------------------------------------------------


def province(code: str, name: str) -> tuple[Organisation, Organisation]:
    top = Organisation.objects.create(
        code=f"{code}-TU", name=f"Tỉnh ủy {name}", kind=OrganisationKind.PROVINCIAL_COMMITTEE
    )
    btc = Organisation.objects.create(
        code=f"{code}-BTC",
        name=f"Ban Tổ chức Tỉnh ủy {name}",
        kind=OrganisationKind.ADVISORY_BODY,
        parent=top,
    )
    return top, btc


def test_successor_provinces_reviewer_oversees_the_absorbed_provinces_plan(
    client_for, plan, reviewer, organisations
):
    cycle = make_cycle(plan, reviewer, year=2025)
    vinh_long, vl_btc = province("VL", "Vĩnh Long")
    _, ct_btc = province("CT", "Cần Thơ")
    close(organisations["TV-TU"], dt.date(2025, 6, 30), vinh_long)
    url = reverse("reports:dashboard", args=[cycle.pk])

    successor = make_user("vl-reviewer", organisation=vl_btc, role=Role.REVIEWER)
    unrelated = make_user("ct-reviewer", organisation=ct_btc, role=Role.REVIEWER)
    assert client_for(successor).get(url).status_code == 200
    # Plans are readable by everyone with a role, so the refusal is 403 (access.py), as
    # for any reader who does not oversee the plan.
    assert client_for(unrelated).get(url).status_code == 403


def test_provinces_merged_in_a_chain_pass_oversight_to_the_last(
    client_for, plan, reviewer, organisations
):
    cycle = make_cycle(plan, reviewer, year=2025)
    middle, _middle_btc = province("VL", "Vĩnh Long")
    last, last_btc = province("MK", "Mê Kông")
    close(organisations["TV-TU"], dt.date(2025, 6, 30), middle)
    close(middle, dt.date(2030, 6, 30), last)
    url = reverse("reports:dashboard", args=[cycle.pk])

    successor = make_user("mk-reviewer", organisation=last_btc, role=Role.REVIEWER)
    assert client_for(successor).get(url).status_code == 200


def test_api_status_rows_name_the_successor_of_a_committee_closed_after_the_period(
    client_for, cycle, organisations, reviewer
):
    merged = merge(organisations, dt.date(2027, 1, 5))

    response = client_for(reviewer).get(f"/api/v1/cycles/{cycle.pk}/status/?limit=100")
    rows = {row["organisation"]["code"]: row for row in response.json()["results"]}
    assert rows["TV-HCL"]["successor"] == merged.code
    assert rows["TV-HCK"]["successor"] is None


# Year on year, like with like ------------------------------------------------------------------


def accepted(cycle, organisation, reviewer):
    report = submitted_report(cycle, organisation, reviewer)
    return report_accept(report=report, actor=reviewer)


def rollup_lines(client, plan) -> list:
    return client.get(reverse("reports:rollup", args=[plan.code])).context["rollup"].lines


def test_rollup_of_a_partly_reported_year_says_what_each_year_holds(
    client_for, plan, reviewer, leader, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    for code in ("TV-HCL", "TV-HCT", "TV-HCK", "TV-HTC"):
        accepted(old, organisations[code], reviewer)
    ReportingCycle.objects.filter(pk=old.pk).update(status=CycleStatus.CLOSED)
    new = make_cycle(plan, reviewer, year=2026)
    accepted(new, organisations["TV-HCK"], reviewer)

    client = client_for(leader)
    lines = [line for line in rollup_lines(client, plan) if line.total.value is not None]
    assert lines
    for line in lines:
        assert line.change_text == "so với 2025: 4 báo cáo; năm nay mới có 1 báo cáo"
        assert (line.change_percent_text, line.trend) == ("", "")
    html = client.get(reverse("reports:rollup", args=[plan.code])).content.decode()
    assert "năm nay mới có 1 báo cáo" in html


def test_rollup_compares_a_merged_committee_with_the_ones_it_replaced(
    client_for, plan, reviewer, leader, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    for code in ("TV-HCL", "TV-HCT", "TV-HCK"):
        accepted(old, organisations[code], reviewer)
    merged = merge(organisations, dt.date(2025, 12, 31))
    new = make_cycle(plan, reviewer, year=2026)
    for organisation in (merged, organisations["TV-HCK"]):
        accepted(new, organisation, reviewer)

    totals = indicator_totals(new, previous=old)
    assert totals.rows[0].coverage.reports == totals.rows[0].coverage.previous_reports == 2
    assert not totals.rows[0].partial
    lines = [line for line in rollup_lines(client_for(leader), plan) if line.total.change]
    assert lines
    assert all(line.change_percent_text for line in lines)


def test_summary_change_says_what_each_year_holds_when_the_year_is_partial(
    plan, reviewer, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    for code in ("TV-HCL", "TV-HCT", "TV-HCK"):
        accepted(old, organisations[code], reviewer)
    new = make_cycle(plan, reviewer, year=2026)
    accepted(new, organisations["TV-HCK"], reviewer)

    row = next(r for r in indicator_totals(new, previous=old).rows if r.change is not None)
    assert summary_change_text(row) == "so với 2025: 3 báo cáo; năm nay mới có 1 báo cáo"


# Sub-plans ---------------------------------------------------------------------------------------


def register_at(plan, organisation, actor, moment: dt.datetime):
    from reports.services.subplans import subplan_register
    from reports.services.uploads import PDF, check_upload
    from tests.reports.test_subplans import pdf

    with time_machine.travel(moment, tick=False):
        return subplan_register(
            plan=plan,
            organisation=organisation,
            number=f"01-KH/{organisation.code}",
            issued_on=moment.date(),
            checked=check_upload(pdf(), (PDF,)),
            actor=actor,
        )


def merged_buckets(plan, merged, today) -> dict[str, str]:
    rows = with_bucket(Organisation.objects.filter(pk=merged.pk), plan, today)
    return {row.code: row.bucket for row in rows}


@pytest.mark.parametrize(
    ("registered", "bucket"),
    [
        ({"TV-HCL": (3, 10), "TV-HCT": (3, 20)}, ON_TIME),
        ({"TV-HCL": (3, 10), "TV-HCT": (4, 20)}, LATE),
        ({"TV-HCL": (3, 10)}, OVERDUE),
    ],
)
def test_predecessors_sub_plans_cover_a_merged_committee(
    plan, reviewer, organisations, settings, tmp_path, registered, bucket
):
    settings.MEDIA_ROOT = tmp_path
    plan.subplans_due = dt.date(2026, 3, 31)
    plan.save(update_fields=["subplans_due"])
    subplans = {
        code: register_at(
            plan, organisations[code], reviewer, dt.datetime(2026, *day, 9, tzinfo=ZONE)
        )
        for code, day in registered.items()
    }
    merged = merge(organisations, dt.date(2026, 6, 30))
    today = dt.date(2026, 8, 1)

    assert merged_buckets(plan, merged, today) == {merged.code: bucket}
    own = [subplans.get(code) for code in ("TV-HCL", "TV-HCT")]
    assert subplan_bucket(None, plan.subplans_due, today, own) == bucket


def test_merged_committee_with_its_own_sub_plan_is_judged_on_it(
    plan, reviewer, organisations, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    plan.subplans_due = dt.date(2026, 3, 31)
    plan.save(update_fields=["subplans_due"])
    for code in ("TV-HCL", "TV-HCT"):
        register_at(plan, organisations[code], reviewer, dt.datetime(2026, 3, 1, tzinfo=ZONE))
    merged = merge(organisations, dt.date(2026, 6, 30))
    register_at(plan, merged, reviewer, dt.datetime(2026, 7, 15, tzinfo=ZONE))

    assert merged_buckets(plan, merged, dt.date(2026, 8, 1)) == {merged.code: LATE}


def test_sub_plan_page_explains_the_inherited_sub_plan(
    client_for, plan, reviewer, organisations, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    plan.subplans_due = dt.date(2026, 3, 31)
    plan.save(update_fields=["subplans_due"])
    for code in ("TV-HCL", "TV-HCT"):
        register_at(plan, organisations[code], reviewer, dt.datetime(2026, 3, 1, tzinfo=ZONE))
    merge(organisations, dt.date(2026, 6, 30))

    with time_machine.travel(dt.datetime(2026, 8, 1, 9, tzinfo=ZONE), tick=False):
        html = client_for(reviewer).get(reverse("reports:subplan_list")).content.decode()
    assert "Kế thừa kế hoạch của tổ chức tiền thân" in html
    assert "mọi tổ chức tiền thân đã đăng ký" in html


# A merger applied to a database with past cycles ------------------------------------------------


def test_merger_leaves_past_cycles_unchanged_and_shapes_the_next_one(
    client_for, plan, reviewer, leader, organisations, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    past = {}
    for year in (2024, 2025):
        past[year] = make_cycle(plan, reviewer, year=year)
        for code in ("TV-HCL", "TV-HCT", "TV-HCK"):
            accepted(past[year], organisations[code], reviewer)
        ReportingCycle.objects.filter(pk=past[year].pk).update(status=CycleStatus.CLOSED)
        past[year].refresh_from_db()

    def snapshot():
        figures = cycles_figures(list(past.values()))
        totals = {
            year: [
                (r.indicator.code, r.value, r.previous)
                for r in indicator_totals(cycle, previous=past.get(year - 1)).rows
            ]
            for year, cycle in past.items()
        }
        page = client_for(reviewer).get(reverse("reports:dashboard", args=[past[2025].pk]))
        history = {row.organisation.code: row.cells for row in page.context["board"].history.rows}
        return figures, totals, history

    before = snapshot()
    merged = merge(organisations, dt.date(2026, 6, 30))
    assert snapshot() == before

    nxt = make_cycle(plan, reviewer, year=2026, due=DUE)
    assert merged.code in codes(nxt)
    assert not {"TV-HCL", "TV-HCT"} & codes(nxt)
    with at(DUE + dt.timedelta(days=1)):
        with pytest.raises(ReminderRefused):
            reminder_send_now(cycle=nxt, organisation=organisations["TV-HCL"], actor=reviewer)
        laggards = set(unsubmitted_organisations(nxt).values_list("code", flat=True))
    assert merged.code in laggards
    assert not {"TV-HCL", "TV-HCT"} & laggards
    accepted(nxt, merged, reviewer)
    accepted(nxt, organisations["TV-HCK"], reviewer)
    row = indicator_totals(nxt, previous=past[2025]).rows[0]
    assert (row.coverage.reports, row.coverage.previous_reports) == (2, 2)
    assert not row.partial
