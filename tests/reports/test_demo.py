"""The demo history: four cycles per plan in believable states, made through the services.

A build takes most of a minute, so the module builds it once and every check reads it;
the module's tests run on one worker (`--dist loadscope` in pyproject.toml). That the
history is the same every time is checked against the digest of its fingerprint kept
beside this module (demo-fingerprint.txt), which a second build would not show across
machines and processes.
"""

import datetime as dt
import hashlib
import os
import re
from dataclasses import asdict, dataclass
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import DateTimeField
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from organisations.models import (
    Membership,
    Organisation,
    OrganisationChange,
    OrganisationKind,
    User,
)
from plan112.celery import _publish
from reports.demo.accounts import reporter_username
from reports.demo.counts import demo_history_counts
from reports.demo.data import demo_data
from reports.demo.history import demo_history_create
from reports.figures import tallies
from reports.figures.content import ReportContent, submission_errors
from reports.figures.definitions import cycles_figures, expected_everywhere
from reports.figures.definitions import expected_organisations as expected_to
from reports.figures.totals import indicator_totals
from reports.models import (
    AnnualReport,
    AttachmentKind,
    CycleStatus,
    EventKind,
    Notification,
    OutboxMessage,
    ReportEvent,
    ReportingCycle,
    ReportStatus,
    SubPlan,
)
from reports.selectors import can_manage, can_review_report, reports_visible_to
from reports.services.reports import report_for_snapshot
from tasks.lines import node_of
from tasks.models import Plan
from tasks.selectors import organisations_in_scope
from tests.conftest import PLAN_CODE, load_plan_and_organisations
from tests.reports.demo_rules import (
    check_the_demo_keeps_the_plans_rules_and_counts_reporters_only,
)

TODAY = dt.date(2026, 11, 24)
FINGERPRINT = Path(__file__).with_name("demo-fingerprint.txt")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytestmark = pytest.mark.slow  # one build shared by the module (--dist loadscope)


@dataclass(frozen=True)
class Built:
    output: str  # what `seed_demo` printed while it built the kept one
    counts: dict  # demo_history_counts() of the kept one
    mail: Path  # where e-mail would have gone
    queued: list  # the jobs its on-commit callbacks handed to the broker


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo built by `seed_demo` on the day the checks assume (its e-mail and Celery
    settings as in production, its on-commit work run), kept in a transaction that ends
    with the module: each test runs in a savepoint inside it, so what one test changes
    the next does not see."""
    root = tmp_path_factory.mktemp("demo")
    overrides = override_settings(
        MEDIA_ROOT=root / "media",
        PASSWORD_HASHERS=FAST_HASHER,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=root / "mail",
        CELERY_TASK_ALWAYS_EAGER=True,
    )
    overrides.enable()
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            # A transactional test run before on this worker may have emptied the tables.
            if not Plan.objects.filter(code=PLAN_CODE).exists():
                load_plan_and_organisations()
            out = StringIO()
            noon = dt.datetime.combine(TODAY, dt.time(12), timezone.get_current_timezone())
            with (
                time_machine.travel(noon, tick=True),
                TestCase.captureOnCommitCallbacks(execute=True) as callbacks,
            ):
                call_command("seed_demo", stdout=out)
            queued = [c.args[0] for c in callbacks if getattr(c, "func", None) is _publish]
            counts = demo_history_counts()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            overrides.disable()
            raise
    yield Built(output=out.getvalue(), counts=counts, mail=root / "mail", queued=queued)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    overrides.disable()


@pytest.fixture
def history(built, db):
    return built.counts


def expected_organisations(plan) -> set[int]:
    candidates = list(Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL))
    return {pk for pk, tasks in organisations_in_scope(plan, candidates).items() if tasks}


def statuses(cycle) -> set[str]:
    return set(cycle.reports.values_list("status", flat=True))


def check_four_cycles_cascading_down_the_tree_across_the_2025_reorganisation(history, plan):
    """Four cycles, three closed. Grassroots report to their huyện ủy in 2023–2024 and
    are reviewed there; the 2025 file is applied between the 2024 and 2025 cycles; since
    then the commune committees report to the province and the demo's chi bộ to their
    commune committee. (One test: each history takes a while to build.)"""
    cycles = list(ReportingCycle.objects.filter(plan=plan).order_by("year"))
    assert [c.year for c in cycles] == [2023, 2024, 2025, 2026]
    assert [c.status for c in cycles] == [CycleStatus.CLOSED] * 3 + [CycleStatus.OPEN]
    current = cycles[-1]
    assert (current.opens_on, current.due_on, current.closes_on) == (
        dt.date(2026, 11, 1), dt.date(2026, 12, 15), dt.date(2027, 1, 31),
    )  # fmt: skip
    assert history["cycles"] == 4
    assert (history["cycles_closed"], history["cycles_open"]) == (3, 1)

    cycles = {c.year: c for c in ReportingCycle.objects.filter(plan=plan)}
    canglong = Organisation.objects.get(code="TV-HCL")
    district_reviewer = User.objects.get(username="bantochuc.canglong")
    integer_codes = set(
        plan.tasks.filter(indicators__value_type="integer").values_list(
            "indicators__code", flat=True
        )
    )
    for year in (2023, 2024):
        cycle = cycles[year]
        grassroots = list(
            cycle.reports.filter(organisation__kind=OrganisationKind.GRASSROOTS).select_related(
                "organisation"
            )
        )
        assert len(grassroots) > 80, year
        assert all(r.reports_to_id == r.organisation.parent_id for r in grassroots)
        # Due 15 days before the committees' own reports.
        assert cycle.due_on_for(OrganisationKind.GRASSROOTS) == dt.date(year, 11, 30)
        from_canglong = [r for r in grassroots if r.reports_to_id == canglong.pk]
        accepted = ReportEvent.objects.filter(
            report__in=from_canglong, kind=EventKind.ACCEPTED
        ).values_list("actor__username", flat=True)
        assert set(accepted) == {"bantochuc.canglong"}, year
        # A huyện ủy's accepted figures are at least the sum of its communes' accepted ones.
        for district in cycle.reports.filter(
            organisation__kind=OrganisationKind.DISTRICT_COMMITTEE, status=ReportStatus.ACCEPTED
        ):
            own = {v.indicator.code: v.value for v in district.values.select_related("indicator")}
            sums: dict[str, int] = {}
            for report in cycle.reports.filter(
                reports_to=district.organisation, status=ReportStatus.ACCEPTED
            ):
                for v in report.values.select_related("indicator"):
                    if v.value is not None and v.indicator.code in integer_codes:
                        sums[v.indicator.code] = sums.get(v.indicator.code, 0) + v.value
            assert sums, (year, district)
            for code, total in sums.items():
                assert (own[code] or 0) >= total, (year, district, code)

    # The 2025 file was applied: the huyện ủy closed on 30/06/2025, their reviewers' roles
    # ended, the provincial staff moved to Tỉnh ủy Vĩnh Long's bodies and still oversee
    # the whole plan, their predecessors' reports included.
    assert OrganisationChange.objects.filter(key="2025-vl-merge-provinces").exists()
    canglong.refresh_from_db()
    assert canglong.valid_to == dt.date(2025, 6, 30)
    assert not district_reviewer.memberships.exists()
    staff = {
        m.user.username: m.organisation.code
        for m in Membership.objects.filter(
            user__username__in=["bantochuc", "thuongtruc"]
        ).select_related("user", "organisation")
    }
    assert staff == {"bantochuc": "VL-BTC", "thuongtruc": "VL-TT"}
    reviewer = User.objects.get(username="bantochuc")
    assert can_manage(reviewer, plan.pk)
    assert reports_visible_to(reviewer).count() == AnnualReport.objects.count()
    assert can_review_report(reviewer, cycles[2024].reports.filter(reports_to__code="TV-TU")[0])
    assert not can_review_report(reviewer, next(r for r in grassroots if r in from_canglong))

    # 2025, the transition year: the huyện ủy that reported before closing still count.
    transition = cycles[2025]
    top_2025 = set(expected_to(transition).values_list("kind", flat=True))
    assert {OrganisationKind.DISTRICT_COMMITTEE, OrganisationKind.COMMUNE_COMMITTEE} <= top_2025
    for report in transition.reports.filter(organisation__kind=OrganisationKind.DISTRICT_COMMITTEE):
        assert report.first_submitted_at.date() < dt.date(2025, 7, 1)

    # 2026: the 41 commune committees report to the province; no huyện ủy is expected.
    current = cycles[2026]
    top = list(expected_to(current))
    communes = [o for o in top if o.kind == OrganisationKind.COMMUNE_COMMITTEE]
    assert len(communes) == 41
    assert not [o for o in top if o.kind == OrganisationKind.DISTRICT_COMMITTEE]
    # A commune committee with the demo's chi bộ reporting to it, and reviewing them.
    antruong = Organisation.objects.get(code="VL-XANTRUONG")
    cells = list(expected_to(current, node_of(antruong)))
    assert 5 <= len(cells) <= 10
    assert all(c.kind == OrganisationKind.CELL and "minh họa" in c.name for c in cells)
    cell_reports = AnnualReport.objects.filter(organisation__in=cells, reports_to=antruong)
    assert cell_reports.filter(cycle=transition, status=ReportStatus.ACCEPTED).exists()
    assert set(
        ReportEvent.objects.filter(report__in=cell_reports, kind=EventKind.ACCEPTED).values_list(
            "actor__username", flat=True
        )
    ) == {"duxa.antruong"}

    # The running totals agree with the reports in every cycle.
    for cycle in cycles.values():
        assert tallies.differences(cycle) == [], cycle.year


def check_current_cycle_has_every_state_and_organisations_not_started(history, plan):
    cycle = ReportingCycle.objects.get(plan=plan, year=2026)
    assert {
        ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED, ReportStatus.DRAFT,
    } <= statuses(cycle)  # fmt: skip
    started = set(cycle.reports.values_list("organisation_id", flat=True))
    assert started < expected_organisations(plan)
    # Nothing in the current cycle is late yet, and nothing happened after "today".
    assert all(r.on_time is not False for r in cycle.reports.all())
    latest = ReportEvent.objects.order_by("-at").first().at
    assert latest.date() < TODAY


def check_past_cycles_have_late_on_time_and_missing_reports(history, plan):
    expected = expected_organisations(plan)
    for cycle in ReportingCycle.objects.filter(plan=plan, status=CycleStatus.CLOSED):
        reports = list(cycle.reports.select_related("cycle"))
        accepted = [r for r in reports if r.status == ReportStatus.ACCEPTED]
        assert len(accepted) > len(reports) * 0.7, cycle.year
        assert any(r.on_time is False for r in accepted), cycle.year
        assert any(r.on_time is True for r in accepted), cycle.year
        assert any(r.submission_count > 1 for r in accepted), cycle.year
        assert ReportStatus.SUBMITTED in {r.status for r in reports}, cycle.year
        assert {r.organisation_id for r in reports} < expected, cycle.year
        assert all(r.last_submitted_at < cycle.closed_at for r in reports)


def check_reports_pass_the_rules_with_snapshots_comments_and_scans(history, plan, settings):
    rules = list(plan.rules.all())
    reports = AnnualReport.objects.exclude(status=ReportStatus.DRAFT)
    assert reports.count() > 50
    for report in reports.filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]):
        full = report_for_snapshot(report)
        sections = list(full.sections.all())
        indicators = [i for s in sections for i in s.task.indicators.all()]
        content = ReportContent.of(full)
        assert submission_errors(content, sections, indicators, rules) == {}, report
        assert content.signer_name
        assert content.signer_position
        for indicator in indicators:
            value = content.figures.get(indicator.code)
            if value is not None and indicator.value_type == "percent":
                assert 0 <= value <= 100

    submissions = ReportEvent.objects.filter(kind=EventKind.SUBMITTED)
    assert submissions.exists()
    assert not submissions.filter(snapshot__isnull=True).exists()

    returned = AnnualReport.objects.filter(status=ReportStatus.RETURNED)
    assert returned.exists()
    for report in returned:
        event = report.events.filter(kind=EventKind.RETURNED).last()
        assert event is not None
        assert event.comment
        assert event.section_comments
    # Accepted after a return: the second submission differs from the first.
    resubmitted = AnnualReport.objects.filter(submission_count__gt=1).first()
    first, second = resubmitted.events.filter(kind=EventKind.SUBMITTED).order_by("at")[:2]
    assert first.snapshot != second.snapshot

    with_scan = reports.filter(attachments__kind=AttachmentKind.SIGNED_SCAN).distinct()
    assert with_scan.count() > reports.count() * 0.7
    attachment = with_scan.first().attachments.first()
    assert attachment.file.read(5) == b"%PDF-"
    assert str(settings.MEDIA_ROOT) in attachment.file.path


def check_subplans_for_some_committees_on_time_and_late(history, plan):
    plan.refresh_from_db()
    assert plan.subplans_due == dt.date(2023, 3, 31)
    districts = Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COMMITTEE)
    subplans = list(SubPlan.objects.filter(plan=plan).select_related("plan", "organisation"))
    with_plan = {s.organisation_id for s in subplans}
    assert 0 < len(with_plan & set(districts.values_list("pk", flat=True))) < districts.count()
    assert {s.on_time for s in subplans} == {True, False}
    for subplan in subplans:
        assert re.fullmatch(r"\d{2}-KH/(HU|TU|ĐU)", subplan.number)
        assert subplan.issued_on <= subplan.registered_at.date()


def fingerprint() -> list:
    reports = AnnualReport.objects.select_related("cycle", "organisation").order_by(
        "cycle__year", "organisation__code"
    )
    subplans = SubPlan.objects.order_by("organisation__code")
    return [
        (r.cycle.year, r.organisation.code, r.status, r.submission_count, r.first_submitted_at,
         r.overall_assessment)
        for r in reports
    ] + list(subplans.values_list("number", "registered_at"))  # fmt: skip


def test_the_demo_history(history, plan, settings):
    """One build of the history (most of a minute), and every check of its shape on it."""
    check_four_cycles_cascading_down_the_tree_across_the_2025_reorganisation(history, plan)
    check_current_cycle_has_every_state_and_organisations_not_started(history, plan)
    check_past_cycles_have_late_on_time_and_missing_reports(history, plan)
    check_reports_pass_the_rules_with_snapshots_comments_and_scans(history, plan, settings)
    check_subplans_for_some_committees_on_time_and_late(history, plan)


def digest(rows: list) -> str:
    text = "\n".join(
        "|".join(v.isoformat() if isinstance(v, dt.datetime) else str(v) for v in row)
        for row in rows
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_same_history_every_time_and_a_second_run_creates_nothing(built, db):
    """The same history on every machine, database and run: its fingerprint's digest is
    the one kept in demo-fingerprint.txt. A change to the demo on purpose updates it:
    PLAN112_DEMO_FINGERPRINT=write pytest tests/reports/test_demo.py."""
    before = fingerprint()
    if os.environ.get("PLAN112_DEMO_FINGERPRINT") == "write":
        FINGERPRINT.write_text(f"{digest(before)}\n")
    assert digest(before) == FINGERPRINT.read_text().strip(), (
        "The demo history differs from the kept one: if on purpose, see this test's docstring."
    )

    events = ReportEvent.objects.count()
    again = demo_history_create(today=TODAY)
    assert again == {**built.counts, "created": False}
    assert ReportEvent.objects.count() == events
    assert fingerprint() == before


def test_seed_demo_prints_the_history(built, db):
    out = StringIO(built.output)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("Lịch sử báo cáo:"))
    assert re.match(
        r"Lịch sử báo cáo: 4 kỳ \(3 đã đóng, 1 đang mở\), \d+ báo cáo \(\d+ đã tiếp nhận.*\),"
        r" \d+ kế hoạch thực hiện",
        line,
    ), line
    assert ReportingCycle.objects.count() == 4
    # A line per step while it works, so a minute of seeding is not a silent minute.
    lines = out.getvalue().splitlines()
    assert any(re.fullmatch(r"Tài khoản trình diễn: \d+\.", x) for x in lines)
    assert "Lịch sử báo cáo của Kế hoạch 112-KH/TU:" in lines
    assert any(x.startswith("  Kế hoạch thực hiện của các cấp ủy: ") for x in lines)
    years = [int(m[1]) for x in lines if (m := re.match(r"  Kỳ báo cáo năm (\d{4}) ", x))]
    assert len(years) == 4
    assert years == sorted(years)

    # Exactly one account is marked to try first, and it has a report to write.
    marked = [x.split()[0] for x in lines if "← thử trước" in x]
    assert len(marked) == 1
    assert marked[0] == reporter_username(Organisation.objects.get(code=demo_data().try_first))
    reporter = User.objects.get(username=marked[0])
    organisation = reporter.memberships.get().organisation
    current = ReportingCycle.objects.get(status=CycleStatus.OPEN)
    report = AnnualReport.objects.filter(cycle=current, organisation=organisation).first()
    assert report is None or report.status == ReportStatus.DRAFT

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "đã có từ trước, không tạo thêm" in out.getvalue()
    assert ReportingCycle.objects.count() == 4


def test_readme_suggests_the_reporter_the_demo_keeps_a_report_for(plan, organisations, settings):
    # The organisation to try first is formed by the 2025 file, which the history applies.
    username = reporter_username(Organisation(code=demo_data().try_first))
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"`{username}`" in quick_start
    assert "make run PORT=8001" in quick_start


def test_history_is_dated_before_today_and_sends_no_mail(built, db):
    assert not built.mail.exists() or not any(built.mail.iterdir())
    assert not OutboxMessage.objects.exists()
    # Nor is a delivery queued for a message that is not there: a broker of hundreds of
    # empty jobs would greet the first worker (`make run` seeds before it starts one).
    assert "reports.deliver_outbox_message" not in built.queued
    # The people concerned were told in the application, back then.
    assert Notification.objects.exists()

    start_of_today = dt.datetime.combine(TODAY, dt.time(), timezone.get_current_timezone())
    for model in apps.get_app_config("reports").get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, DateTimeField):
                later = model.objects.filter(**{f"{field.name}__gte": start_of_today})
                assert not later.exists(), f"{model.__name__}.{field.name}"
    assert ReportEvent.objects.filter(at__year=TODAY.year - 3).exists()


def test_history_cannot_end_after_today(db):
    with pytest.raises(ValueError, match="sau hôm nay"):
        demo_history_create(today=timezone.localdate() + dt.timedelta(days=1))


# The real 2025 reorganisation (data/organisations/2025-vinh-long.yaml) applied to the
# demo's database: the cycles whose period ended before it keep every figure (rates,
# totals, history); the transition year follows the rule in reports/figures/definitions.py.

CHANGES = Path(django_settings.BASE_DIR) / "data" / "organisations" / "2025-vinh-long.yaml"
EFFECTIVE = dt.date(2025, 7, 1)


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
    return {c.year: asdict(figures[c.pk]) for c in cycles}, totals, history, everywhere


def test_the_2025_file_leaves_the_cycles_before_it_as_they_were(built, plan, client, reviewer):
    demo = list(ReportingCycle.objects.filter(plan=plan).order_by("year"))
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


def test_the_demo_keeps_the_plans_rules_and_counts_reporters_only(history, plan):
    cycles = {c.year: c for c in ReportingCycle.objects.filter(plan=plan).select_related("plan")}
    check_the_demo_keeps_the_plans_rules_and_counts_reporters_only(plan, cycles)
