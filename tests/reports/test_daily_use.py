"""What people meet in daily use: the new-cycle form, the summary page of a past cycle,
the print page, the cycle page's order and reminders, and the inbox's filters."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from organisations.ordering import sort_key
from tests.reports.factories import make_cycle, make_report, submitted_report

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# The new-cycle form -----------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=TZ), tick=False)
def test_new_cycle_form_offers_this_year_when_it_has_no_cycle(client_for, reviewer, plan):
    make_cycle(plan, reviewer, year=2025)
    form = client_for(reviewer).get(reverse("reports:cycle_create")).context["form"]
    assert form.initial["year"] == 2026
    assert form.initial["due_on"] == "15/12/2026"


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=TZ), tick=False)
def test_new_cycle_form_offers_the_next_year_without_a_cycle(client_for, reviewer, plan):
    make_cycle(plan, reviewer, year=2026)
    make_cycle(plan, reviewer, year=2027)
    form = client_for(reviewer).get(reverse("reports:cycle_create")).context["form"]
    assert form.initial["year"] == 2028
    assert form.initial["period_start"] == "01/01/2028"
    assert form.initial["closes_on"] == "31/01/2029"


# The summary page of a cycle whose deadline passed ----------------------------------------


def summary_page(client, cycle) -> str:
    return client.get(reverse("reports:summary_detail", args=[cycle.pk])).content.decode()


def test_summary_page_before_the_deadline_says_when_it_will_be_built(client_for, leader, plan):
    cycle = make_cycle(plan, leader, year=2026)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=TZ), tick=False):
        html = summary_page(client_for(leader), cycle)
    assert "Ban Tổ chức sẽ lập sau khi hết hạn nộp báo cáo (15/12/2026)." in html
    assert "chưa được lập, dù hạn nộp" not in html


def test_summary_page_of_a_long_closed_cycle_says_it_was_not_built_and_who_may(
    client_for, leader, reviewer, plan
):
    cycle = make_cycle(plan, reviewer, year=2025)
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, tzinfo=TZ), tick=False):
        for_leader = summary_page(client_for(leader), cycle)
        for_reviewer = summary_page(client_for(reviewer), cycle)
    for html in (for_leader, for_reviewer):
        assert "sẽ lập sau khi hết hạn" not in html
        assert "chưa được lập, dù hạn nộp (15/12/2025) đã qua" in html
    assert "Chỉ cán bộ thẩm định của Ban Tổ chức" in for_leader
    assert "Đồng chí có thể lập ngay" in for_reviewer


# The print page ---------------------------------------------------------------------------


def test_print_page_keeps_the_workflow_state_off_the_printed_sheet(
    client_for, reporter, reviewer, plan, organisations
):
    cycle = make_cycle(plan, reviewer)
    report = submitted_report(cycle, organisations["TV-HCL"], reporter)
    html = client_for(reporter).get(reverse("reports:report_print", args=[report.pk]))
    html = html.content.decode()
    sheet = html[html.index('<main class="sheet">') :]
    assert "Đã gửi" not in sheet
    assert "Trạng thái" not in sheet
    toolbar = html[: html.index('<main class="sheet">')]
    assert "d-print-none" in toolbar
    assert "Trạng thái: Đã gửi" in toolbar


# The cycle page's order -------------------------------------------------------------------


def test_cycle_page_lists_districts_then_affiliated_committees_by_name(client_for, reviewer, plan):
    cycle = make_cycle(plan, reviewer)
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=TZ), tick=False):
        response = client_for(reviewer).get(reverse("reports:cycle_detail", args=[cycle.pk]))
    organisations = [row.organisation for row in response.context["rows"]]
    assert organisations == sorted(organisations, key=sort_key)
    kinds = [org.kind for org in organisations]
    assert kinds[0] == "district_committee"
    assert "affiliated_committee" in kinds
    assert kinds.index("affiliated_committee") > len(kinds) - 1 - kinds[::-1].index(
        "district_committee"
    )


def test_overdue_rows_still_come_first_then_the_usual_order(
    client_for, reviewer, reporter, plan, organisations
):
    cycle = make_cycle(plan, reviewer)
    make_report(cycle, organisations["TV-HCL"], reporter)
    submitted_report(
        cycle, organisations["TV-HCK"], reporter, when=dt.datetime(2026, 12, 1, 9, tzinfo=TZ)
    )
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, tzinfo=TZ), tick=False):
        response = client_for(reviewer).get(reverse("reports:cycle_detail", args=[cycle.pk]))
    rows = response.context["rows"]
    codes = [row.organisation.code for row in rows]
    assert codes[-1] == "TV-HCK"  # the only one handed in
    overdue = [row.organisation for row in rows if row.overdue]
    assert overdue == sorted(overdue, key=sort_key)


# The inbox's filters ------------------------------------------------------------------------


def inbox(client, **params):
    return client.get(reverse("reports:inbox"), params)


def test_inbox_shows_the_current_cycle_by_default_and_every_year_on_request(
    client_for, reviewer, reporter, plan, organisations
):
    old = make_cycle(plan, reviewer, year=2025)
    new = make_cycle(plan, reviewer, year=2026)
    submitted_report(old, organisations["TV-HCL"], reporter)
    submitted_report(new, organisations["TV-HCL"], reporter)
    client = client_for(reviewer)
    years = {r.cycle.year for r in inbox(client).context["page"]}
    assert years == {2026}
    assert {r.cycle.year for r in inbox(client, cycle=old.pk).context["page"]} == {2025}
    assert {r.cycle.year for r in inbox(client, cycle="tat-ca").context["page"]} == {2025, 2026}
    html = inbox(client).content.decode()
    assert f'<option value="{new.pk}" selected>' in html


def test_inbox_filters_by_unit_name_or_code(
    client_for, reviewer, reporter, other_reporter, plan, organisations
):
    cycle = make_cycle(plan, reviewer)
    submitted_report(cycle, organisations["TV-HCL"], reporter)
    submitted_report(cycle, organisations["TV-HCK"], other_reporter)
    client = client_for(reviewer)
    by_name = [r.organisation.code for r in inbox(client, unit="cầu kè").context["page"]]
    assert by_name == ["TV-HCK"]
    by_code = [r.organisation.code for r in inbox(client, unit="TV-HCL").context["page"]]
    assert by_code == ["TV-HCL"]
    both = [r.organisation.code for r in inbox(client, unit="Huyện ủy").context["page"]]
    # The usual order: Càng Long before Cầu Kè (a before â).
    assert both == ["TV-HCL", "TV-HCK"]


def test_inbox_ignores_a_cycle_that_is_not_the_users(
    client_for, reviewer, reporter, plan, organisations
):
    cycle = make_cycle(plan, reviewer)
    submitted_report(cycle, organisations["TV-HCL"], reporter)
    response = inbox(client_for(reviewer), cycle=999999)
    assert response.status_code == 200
    assert [r.cycle_id for r in response.context["page"]] == [cycle.pk]  # back to the current
