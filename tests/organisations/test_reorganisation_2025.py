"""The real 2025 reorganisation (data/organisations/2025-vinh-long.yaml) applied to the
demo's database: the cycles whose period ended before it keep every figure (rates,
totals, history); the transition year follows the rule in reports/figures/definitions.py."""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from organisations.models import Organisation, OrganisationKind
from reports.demo.accounts import demo_accounts_create
from reports.demo.history import demo_history_create
from reports.figures.definitions import cycles_figures, expected_everywhere, indicator_totals
from reports.models import ReportingCycle

TODAY = dt.date(2026, 11, 24)
CHANGES = Path(settings.BASE_DIR) / "data" / "organisations" / "2025-vinh-long.yaml"
EFFECTIVE = dt.date(2025, 7, 1)


@pytest.fixture
def demo(plan, organisations, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_accounts_create(password="x-demo-123")
    demo_history_create(today=TODAY)
    return list(ReportingCycle.objects.filter(plan=plan).order_by("year"))


def snapshot(cycles, client):
    # Fresh objects, as each request reads them: a plan caches its top committee.
    cycles = list(
        ReportingCycle.objects.filter(pk__in=[c.pk for c in cycles])
        .select_related("plan")
        .order_by("year")
    )
    for cycle in cycles[1:]:
        cycle.plan = cycles[0].plan
    figures = cycles_figures(cycles)
    totals = {}
    previous = None
    for cycle in cycles:
        totals[cycle.year] = [
            (row.indicator.code, row.value, row.previous)
            for row in indicator_totals(cycle, previous=previous).rows
        ]
        previous = cycle
    history = {}
    for cycle in cycles:
        board = client.get(reverse("reports:dashboard", args=[cycle.pk])).context["board"]
        history[cycle.year] = {row.organisation.code: row.cells for row in board.history.rows}
    everywhere = expected_everywhere(cycles[-1]).count()
    return {c.year: dataclasses.asdict(figures[c.pk]) for c in cycles}, totals, history, everywhere


def test_the_2025_file_leaves_the_cycles_before_it_as_they_were(demo, client, reviewer):
    client.force_login(reviewer)
    before = snapshot(demo, client)
    call_command("load_organisations", str(CHANGES), verbosity=0)
    districts = Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COMMITTEE)
    assert not districts.filter(valid_to__isnull=True).exists()  # the file really applied
    assert Organisation.objects.get(code="TV-TU").successor.code == "VL-TU"
    after = snapshot(demo, client)

    ended = {c.year for c in demo if c.period_end < EFFECTIVE}
    assert ended == {2023, 2024}
    for part_before, part_after in zip(before[:3], after[:3], strict=True):
        for year in ended:
            assert part_after[year] == part_before[year], year

    # The transition year (its period holds 01/07/2025): nobody is counted twice and no
    # rate passes 100 %.
    # The province's own level gains the commune committees (they report to it since
    # 01/07/2025), but over every level nobody new is expected: the mergers only join
    # organisations that were expected already.
    new = after[0][2025]
    assert new["on_time"] <= new["actual"] <= new["expected"]
    assert after[3] <= before[3]
