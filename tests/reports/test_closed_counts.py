"""Closed cycles' figures are counted once and read back with every other closed year's
(reports.figures.closed); whatever may change them forgets them. The rollup and the
dashboard take as many queries with ten years of cycles as with two."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from organisations.models import Organisation
from organisations.signals import structure_changed
from reports.figures.closed import forget
from reports.figures.definitions import _counted, cycles_figures, node_or_top
from reports.models import CycleCount
from reports.services.cycles import cycle_close
from reports.services.reports import report_accept, report_return
from tests.reports.factories import make_cycle, submitted_report

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def closed_cycle(plan, reviewer, organisations, year: int, *, submit=("TV-HCL", "TV-HCK")):
    """A cycle of ``year`` with the named committees' reports submitted on time, closed."""
    cycle = make_cycle(plan, reviewer, year=year)
    when = dt.datetime(year, 12, 1, 10, tzinfo=ZONE)
    for code in submit:
        submitted_report(cycle, organisations[code], reviewer, when=when)
    return cycle_close(cycle=cycle, actor=reviewer)


@pytest.fixture
def cycles(plan, reviewer, organisations):
    with time_machine.travel(dt.datetime(2024, 1, 10, tzinfo=ZONE), tick=False):
        return [closed_cycle(plan, reviewer, organisations, year) for year in (2021, 2022)]


def fresh(cycles):
    node = node_or_top(cycles[0].plan, None)
    return _counted(cycles, node)


def test_a_closed_cycle_is_counted_once_then_read_back(
    cycles, django_assert_num_queries, django_assert_max_num_queries
):
    assert CycleCount.objects.count() == 0
    first = cycles_figures(cycles)
    assert first == fresh(cycles)
    assert first[cycles[0].pk].actual == 2
    assert CycleCount.objects.count() == 2  # one row per cycle, at the top committee
    with django_assert_num_queries(1):  # the stored rows only
        again = cycles_figures(cycles)
    assert again == first


def test_an_open_cycle_is_counted_every_time(plan, reviewer, organisations, cycles):
    with time_machine.travel(dt.datetime(2024, 1, 10, tzinfo=ZONE), tick=False):
        current = make_cycle(plan, reviewer, year=2023)
    figures = cycles_figures([*cycles, current])
    assert not CycleCount.objects.filter(cycle=current).exists()
    with time_machine.travel(dt.datetime(2023, 12, 1, 10, tzinfo=ZONE), tick=False):
        submitted_report(current, organisations["TV-HCL"], reviewer)
    assert cycles_figures([*cycles, current])[current.pk].actual == (figures[current.pk].actual + 1)


def test_a_review_in_a_closed_cycle_forgets_its_counts(reviewer, cycles):
    cycles_figures(cycles)
    report = cycles[1].reports.get(organisation__code="TV-HCL")
    report_accept(report=report, actor=reviewer)
    assert not CycleCount.objects.filter(cycle=cycles[1]).exists()
    assert CycleCount.objects.filter(cycle=cycles[0]).exists()  # the other year stays
    after = cycles_figures(cycles)
    assert after[cycles[1].pk].accepted == 1
    assert after == fresh(cycles)
    other = cycles[1].reports.get(organisation__code="TV-HCK")
    report_return(report=other, comment="Bổ sung số liệu.", actor=reviewer)
    assert cycles_figures(cycles)[cycles[1].pk].returned == 1
    assert cycles_figures(cycles) == fresh(cycles)


def test_changes_to_the_organisations_forget_every_count(cycles):
    cycles_figures(cycles)
    hcl = Organisation.objects.get(code="TV-HCL")
    hcl.valid_from = dt.date(2022, 6, 1)  # corrected after the fact: not there in 2021
    hcl.save()
    assert CycleCount.objects.count() == 0
    after = cycles_figures(cycles)
    assert after == fresh(cycles)
    cycles_figures(cycles)
    assert CycleCount.objects.count() == 2
    structure_changed.send(sender=Organisation)  # a data file loaded, a restructuring
    assert CycleCount.objects.count() == 0


def test_a_deleted_report_forgets_its_cycles_counts(cycles):
    before = cycles_figures(cycles)
    cycles[0].reports.filter(organisation__code="TV-HCK").delete()
    after = cycles_figures(cycles)
    assert after[cycles[0].pk].actual == before[cycles[0].pk].actual - 1
    assert after == fresh(cycles)


def test_forget_drops_one_cycle_or_all(cycles):
    cycles_figures(cycles)
    forget(cycles[0].pk)
    assert list(CycleCount.objects.values_list("cycle_id", flat=True)) == [cycles[1].pk]
    forget()
    assert CycleCount.objects.count() == 0


def pages(plan, cycle):
    return (
        reverse("reports:rollup", args=[plan.code]),
        reverse("reports:dashboard", args=[cycle.pk]),
    )


@pytest.mark.slow
def test_rollup_and_dashboard_take_as_many_queries_with_ten_years_as_with_two(
    plan, reviewer, organisations, client_for, django_assert_max_num_queries
):
    """Each year read once as counted, then from the stored counts: the same number of
    queries whatever the number of years (2 more per year before)."""
    client = client_for(reviewer)
    years = iter(range(2015, 2025))
    with time_machine.travel(dt.datetime(2025, 1, 10, tzinfo=ZONE), tick=False):
        for _ in range(2):
            closed_cycle(plan, reviewer, organisations, next(years), submit=("TV-HCL",))
        current = make_cycle(plan, reviewer, year=2025)
        counts = []
        for _round in range(2):
            urls = pages(plan, current)
            for url in urls:
                client.get(url)  # the closed years' first reading stores them
            with django_assert_max_num_queries(200) as each:
                for url in urls:
                    assert client.get(url).status_code == 200
            counts.append(len(each.captured_queries))
            for _ in range(8 if _round == 0 else 0):
                closed_cycle(plan, reviewer, organisations, next(years), submit=("TV-HCL",))
    assert counts[0] == counts[1], counts
    assert CycleCount.objects.filter(cycle__year__lt=2025).count() >= 10
