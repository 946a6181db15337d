"""The measurements `bench/run.py` takes inside Django, in a child process with the
benchmark database's DATABASE_URL and DEBUG off: each page through Django's test Client
in-process (server time, no network), warm-ups first, then timed runs; the query count
from one extra run under CaptureQueriesContext and the Python peak allocation from one
run under tracemalloc, so neither slows the timed runs. Every page is also timed against
the hand-written SQL that returns its figures (bench/bare.py): the ratio is printed."""

from __future__ import annotations

import json
import math
import statistics
import time

from bench import bare

PLAN_CODE = "112-KH-TU"
# The nodes timed at each level of the cascade: the first of generate_scale's first-level
# committees, and the first commune under it.
FIRST_LEVEL_CODE = "SC-P000001"
COMMUNE_CODE = "SC-X000001"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(fn, *, runs: int, warmup: int, before=None) -> dict:
    """Median and p95 of fn(), plus its query count and Python peak allocation, each
    taken in a separate run. ``before`` prepares each run outside the timing."""
    import tracemalloc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn(before() if before else None)
    with CaptureQueriesContext(connection) as ctx:
        fn(before() if before else None)
    queries = len(ctx)
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    argument = before() if before else None
    tracemalloc.start()
    fn(argument)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    times = []
    for _ in range(runs):
        argument = before() if before else None
        started = time.perf_counter()
        fn(argument)
        times.append(time.perf_counter() - started)
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "queries": queries,
        "sql_ms": sql_ms,
        "peak_mb": peak / 2**20,
        "runs": runs,
        "note": "peak = Python allocations (tracemalloc) of one request",
    }


def _errors(response) -> str:
    """What the re-rendered form says is wrong, for a failed submission."""
    import re

    text = response.content.decode()
    return "; ".join(re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)<', text))[:500]


def bench_users():
    from organisations.models import Membership, Organisation, Role, User

    def user(name: str, code: str, role: str) -> User:
        account, _ = User.objects.get_or_create(username=name, defaults={"last_name": name})
        org = Organisation.objects.get(code=code)
        Membership.objects.get_or_create(user=account, organisation=org, role=role)
        return account

    return user("bench-reviewer", "TV-BTC", Role.REVIEWER), user(
        "bench-leader", "TV-TT", Role.LEADER
    )


def reporter_for(organisation):
    from organisations.models import Membership, Role, User

    account, _ = User.objects.get_or_create(
        username=f"bench-{organisation.code}", defaults={"last_name": organisation.code}
    )
    Membership.objects.get_or_create(user=account, organisation=organisation, role=Role.REPORTER)
    return account


def full_post(report, sample) -> dict:
    """What the edit page posts for a complete report: the texts filled in and the figures
    of `sample`, an accepted report (so they satisfy the plan's rules)."""
    figures = {v.indicator.code: v.value for v in sample.values.select_related("indicator")}
    data = {
        "version": report.version,
        "overall_assessment": "Đảng bộ đã triển khai nghiêm túc kế hoạch.",
        # Committees write section I (leadership and dissemination); others have no field.
        "leadership": "Ban Thường vụ đã ban hành kế hoạch và tổ chức quán triệt.",
        "proposals": "Đề nghị Tỉnh ủy tăng cường tập huấn.",
        "signer_name": "Nguyễn Văn An",
        "signer_position": "Bí thư",
    }
    for section in report.sections.select_related("task"):
        n = section.task.number
        data |= {
            f"s{n}-results": f"Kết quả nhiệm vụ {n}, lưu lúc {time.time():.6f}",
            f"s{n}-limitations": "Còn hạn chế",
            f"s{n}-causes": "Nguyên nhân khách quan",
            f"s{n}-next_steps": "Tiếp tục thực hiện",
            f"s{n}-level": "good",
        }
    for value in report.values.select_related("indicator"):
        figure = figures.get(value.indicator.code)
        data[f"i-{value.indicator.code}"] = "" if figure is None else str(int(figure))
    return data


def bare_sql(cycles, current, runs: int) -> dict:
    """The hand-written SQL of bench/bare.py through a raw cursor: the dashboard's figures
    and first page at the top committee, and the rollup's totals and trend there."""
    from django.db import connection

    dashboard_params = bare.parameters(current)
    rollup_params = bare.parameters(current, cycles=cycles)
    out = {}
    for name, read, params in (
        ("bare SQL: dashboard's figures and first page (top)", bare.dashboard, dashboard_params),
        ("bare SQL: rollup's totals and trend (top)", bare.rollup, rollup_params),
    ):

        def run(_arg, read=read, params=params):
            with connection.cursor() as cursor:
                read(cursor, params)

        out[name] = timed(run, runs=runs, warmup=2)
        out[name]["note"] = "raw cursor, bench/bare.py"
    return out


def ratios(results: dict) -> None:
    """Each page's p95 over the p95 of the hand-written SQL returning its figures."""
    pairs = (
        ("dashboard (reviewer)", "bare SQL: dashboard's figures and first page (top)"),
        ("rollup (leader)", "bare SQL: rollup's totals and trend (top)"),
    )
    for page, sql in pairs:
        if page in results and sql in results and results[sql]["p95_ms"]:
            ratio = results[page]["p95_ms"] / results[sql]["p95_ms"]
            results[page]["bare_ratio"] = ratio
            results[page]["note"] = f"{ratio:.1f}× its hand-written SQL (p95 ÷ p95)"


def django_setup() -> None:
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plan112.settings")
    import django

    django.setup()


def admin_inbox(client, current, *, runs: int, warmup: int) -> dict:
    """The inbox of someone who sees every report (an administrator): page 1 and the page
    past row 40,000 (or the last one of a smaller database), reached by its cursor."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from organisations.models import User
    from reports.keyset import keyset_page
    from reports.selectors import inbox_for, inbox_sections
    from reports.views.review import INBOX_CURSOR

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"last_name": "bench-admin", "is_superuser": True}
    )
    client.force_login(admin)
    reports = inbox_for(admin, cycle_id=current.pk).select_related("reports_to")
    depth = min(40_000, max(0, reports.count() - 50))
    cursor = keyset_page(
        reports, size=depth, salt=INBOX_CURSOR, sections=inbox_sections([current])
    ).next if depth else None  # fmt: skip
    url = reverse("reports:inbox")

    def run(address):
        def page(_arg):
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)

        return page

    out = {"inbox (administrator, first page)": timed(run(url), runs=runs, warmup=warmup)}
    if cursor:
        deep = f"{url}?{urlencode({'trang': cursor})}"
        out[f"inbox (administrator, page past row {depth:,})"] = timed(
            run(deep), runs=runs, warmup=warmup
        )
    return out


def export_jobs(reviewer, leader, current, plan, *, runs: int) -> dict:
    """Each export a job writes, timed from claim to stored file in this process (what a
    worker does): the dashboard's workbook and CSV of the top committee and of a
    first-level committee, and the rollup's workbook of the top."""
    from reports.export_jobs.build import export_build
    from reports.models import ExportJob, ExportKind, ExportStatus

    cases = (
        ("dashboard", ExportKind.DASHBOARD, "xlsx", reviewer, ""),
        ("dashboard", ExportKind.DASHBOARD, "csv", reviewer, ""),
        ("dashboard", ExportKind.DASHBOARD, "xlsx", reviewer, f"don_vi={FIRST_LEVEL_CODE}"),
        ("rollup", ExportKind.ROLLUP, "xlsx", leader, ""),
    )
    out = {}
    for page, kind, fmt, user, query in cases:

        def make(kind=kind, fmt=fmt, user=user, query=query):
            ExportJob.objects.filter(requested_by=user).delete()
            return ExportJob.objects.create(
                requested_by=user, kind=kind, fmt=fmt, cycle=current, query=query
            ).pk

        def build(export_id):
            assert export_build(export_id=export_id)
            job = ExportJob.objects.get(pk=export_id)
            assert job.status == ExportStatus.DONE, (job.status, job.error)

        level = f" ({query.split('=')[1]})" if query else " (top)"
        row = timed(build, runs=max(1, runs // 4), warmup=1, before=make)
        row["note"] = "export job, claim to stored file"
        out[f"export job: {page} {fmt}{level}"] = row
    ExportJob.objects.filter(requested_by__in=[reviewer, leader]).delete()
    return out


def cascade(client, cycle, plan, reviewer, leader, *, runs: int, warmup: int) -> dict:
    """The dashboard (reviewer) and the rollup (leader) of one node at each level of the
    cascade, chosen with ?don_vi=: the plan's top, a first-level committee, a commune."""
    from django.urls import reverse

    from tasks.lines import top_node

    out = {}
    levels = (
        ("top", top_node(plan).organisation.code),
        ("first level", FIRST_LEVEL_CODE),
        ("commune", COMMUNE_CODE),
    )
    pages = (
        ("dashboard", reviewer, reverse("reports:dashboard", args=[cycle.pk])),
        ("rollup", leader, reverse("reports:rollup", args=[plan.code])),
    )
    for page, user, url in pages:
        client.force_login(user)
        for level, code in levels:

            def run(_arg, address=f"{url}?don_vi={code}"):
                response = client.get(address)
                assert response.status_code == 200, (address, response.status_code)

            row = timed(run, runs=runs, warmup=warmup)
            out[f"cascade: {page}, {level} ({code})"] = row
    return out


def measure(*, runs: int, warmup: int) -> None:
    django_setup()
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    import plan112.wsgi  # noqa: F401 - the application as gunicorn loads it (plan112/wsgi.py)
    from reports.models import EDITABLE_STATUSES, AnnualReport, ReportingCycle, ReportStatus
    from reports.services.reports import report_return
    from tasks.models import Plan

    plan = Plan.objects.get(code=PLAN_CODE)
    cycles = list(ReportingCycle.objects.filter(plan=plan).order_by("year"))
    current = cycles[-1]
    reviewer, leader = bench_users()
    client = Client()
    results = {}

    def get(url: str, expect: int = 200):
        def run(_arg):
            response = client.get(url)
            assert response.status_code == expect, (url, response.status_code)
            return response

        return run

    client.force_login(reviewer)
    dashboard = reverse("reports:dashboard", args=[current.pk])
    results["dashboard (reviewer)"] = timed(get(dashboard), runs=runs, warmup=warmup)
    results["dashboard (reviewer, last page)"] = timed(
        get(dashboard + "?trang=100000"), runs=runs, warmup=warmup
    )
    # What the page loads after itself (htmx), each a request of its own.
    for panel, name in (
        ("bang-nhiet", "heat map"),
        ("lich-su", "history"),
        ("ke-hoach", "sub-plans"),
    ):
        url = reverse("reports:dashboard_panel", args=[current.pk, panel])
        results[f"dashboard panel: {name}"] = timed(get(url), runs=runs, warmup=warmup)
    inbox = reverse("reports:inbox")
    results["inbox (reviewer, first page)"] = timed(get(inbox), runs=runs, warmup=warmup)
    results.update(admin_inbox(client, current, runs=runs, warmup=warmup))
    client.force_login(reviewer)
    status = f"/api/v1/cycles/{current.pk}/status/"
    results["API status list (first page)"] = timed(get(status), runs=runs, warmup=warmup)
    count = client.get(status).json()["count"]
    results["API status list (last page)"] = timed(
        get(f"{status}?offset={max(0, count - 200)}"), runs=runs, warmup=warmup
    )
    results.update(cascade(client, current, plan, reviewer, leader, runs=runs, warmup=warmup))
    client.force_login(leader)
    results["rollup (leader)"] = timed(
        get(reverse("reports:rollup", args=[plan.code])), runs=runs, warmup=warmup
    )
    results["rollup (leader, submitted included)"] = timed(
        get(reverse("reports:rollup", args=[plan.code]) + "?tinh_ca_chua_duyet=1"),
        runs=runs, warmup=warmup,
    )  # fmt: skip

    # A reporter's own draft: open, save, submit. Each run takes the editable reports with
    # the shortest history, so the measured ones look like real ones; when a small
    # database runs out of untouched drafts, the reports earlier runs submitted are sent
    # back through the reviewer's service first (returned reports are editable again).
    needed = runs + warmup + 5
    editable = AnnualReport.objects.filter(cycle=current, status__in=EDITABLE_STATUSES)
    if editable.count() < needed:
        for report in AnnualReport.objects.filter(
            cycle=current,
            status=ReportStatus.SUBMITTED,
            events__actor__username__startswith="bench-",
        ).distinct():
            report_return(report=report, comment="Đo lại hiệu năng.", actor=reviewer)
    drafts = list(
        editable.annotate(history=Count("events"))
        .select_related("organisation")
        .order_by("history", "pk")[:needed]
    )
    sample_of = {}
    for kind in {d.organisation.kind for d in drafts}:
        sample_of[kind] = AnnualReport.objects.filter(
            status=ReportStatus.ACCEPTED, organisation__kind=kind, cycle=current
        ).first() or AnnualReport.objects.filter(
            status=ReportStatus.ACCEPTED, organisation__kind=kind
        ).latest("pk")
    saving = drafts[0]
    client.force_login(reporter_for(saving.organisation))
    edit = reverse("reports:report_edit", args=[saving.pk])
    results["open report form (GET)"] = timed(get(edit), runs=runs, warmup=warmup)
    base = full_post(saving, sample_of[saving.organisation.kind])

    def save(data):
        response = client.post(edit, data)
        assert response.status_code == 302, response.status_code
        assert response.url == edit, response.url

    first_text = next(key for key in base if key.endswith("-results"))

    def fresh_version():  # each save changes one section's text, as people's saves do
        return base | {
            "version": AnnualReport.objects.get(pk=saving.pk).version,
            first_text: f"Kết quả, lưu lúc {time.time():.6f}",
        }

    results["save draft (POST)"] = timed(save, runs=runs, warmup=warmup, before=fresh_version)

    queue = iter(drafts[1:])

    def next_submission():
        report = next(queue)
        client.force_login(reporter_for(report.organisation))
        return report, full_post(report, sample_of[report.organisation.kind])

    def submit(arg):
        report, data = arg
        response = client.post(
            reverse("reports:report_edit", args=[report.pk]), data | {"submit": "1"}
        )
        assert response.status_code == 302, (response.status_code, _errors(response))
        assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED

    # Each run submits another draft: a small tree past the grassroots' due date may hold
    # fewer than the runs ask for, and then fewer runs are timed (the row says how many).
    left = len(drafts) - 1 - warmup - 2  # the query-count and memory runs take one each
    if left >= 3:
        results["submit (POST)"] = timed(
            submit, runs=min(runs, left), warmup=warmup, before=next_submission
        )
    results.update(export_jobs(reviewer, leader, current, plan, runs=runs))
    for cycle in cycles:
        cycle.plan = plan
    results.update(bare_sql(cycles, current, runs))
    ratios(results)
    print(json.dumps(results))
