# ruff: noqa: S603 - runs this script and manage.py with fixed arguments
"""Server-side timings of the pages that must not slow down as the data grows.

    .venv/bin/python bench/run.py                     # 160 and 52,000 grassroots
    .venv/bin/python bench/run.py --sizes 160 --runs 5 --summary-runs 0

A size is the number of grassroots organisations of `generate_scale`'s tree (52,000
grassroots make about 55,300 organisations with their communes and first-level
committees). For each size it uses a dedicated PostgreSQL database (`<base>_<size>`, e.g.
plan112_bench_52000, created and filled with `generate_scale` when missing, and dropped
and filled again when it holds data of another size or the flat shape of earlier
benches; never a test database), then times, in a child process with that DATABASE_URL
and DEBUG off, each page through Django's test Client in-process (no network): warm-ups
first, then `--runs` timed runs; query counts come from one extra run under
CaptureQueriesContext and the Python peak allocation from one run under tracemalloc, so
neither slows the timed runs.
The yearly summary is built in its own process, whose peak RSS is its memory figure.

The reporting cascade is timed at three levels: the dashboard and the rollup of the
plan's top committee, of one first-level committee and of one commune committee
(`?don_vi=<code>`). Each row is printed next to the same row of a baseline results file
(`--baseline`, the national size against the baseline's largest size, the small one
against its smallest).

Writes bench/results-<date>[-<label>].json and .md (never over the baseline) and prints
the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_BASE = "postgres://postgres@127.0.0.1:5432/plan112_bench"
DEFAULT_BASELINE = ROOT / "bench" / "results-2026-11-30.json"
PLAN_CODE = "112-KH-TU"
# The nodes timed at each level of the cascade: the first of generate_scale's first-level
# committees, and the first commune under it.
FIRST_LEVEL_CODE = "SC-P000001"
COMMUNE_CODE = "SC-X000001"


# Orchestration (no Django here) -------------------------------------------------------------


def database_url(base: str, size: int) -> str:
    return f"{base}_{size}"


def child_env(url: str, media: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        PLAN112_ENV="development",
        MEDIA_ROOT=media,
        CELERY_TASK_ALWAYS_EAGER="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the database if it does not exist (connecting to the `postgres` one);
    with ``fresh``, drop it first."""
    import psycopg2

    base, _, name = url.rpartition("/")
    if "test" in name or not name.startswith("plan112_bench"):
        sys.exit(f"Refusing to use {name}: benchmarks only use plan112_bench_* databases.")
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        if fresh:
            print(f"  dropping database {name} (data of another size or shape)")
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"  creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(size: int, years: int, env: dict) -> None:
    """Migrate and fill the database; a database of another size or of the flat shape
    (district committees under the province, before the cascade) is dropped and filled
    again."""
    for attempt in range(2):
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "load_organisations", "data/organisations/tra-vinh.yaml")
        manage(env, "load_plan", f"data/plans/{PLAN_CODE}.yaml")
        probe = subprocess.run(
            [PYTHON, __file__, "--probe"], cwd=ROOT, env=env, check=True, capture_output=True,
            text=True,
        )  # fmt: skip
        existing = json.loads(probe.stdout.strip().splitlines()[-1])
        if existing["synthetic"] == 0:
            manage(env, "generate_scale", "--orgs", str(size), "--years", str(years))
            return
        if existing["grassroots"] == size and existing["tree"]:
            return
        if attempt:
            sys.exit(f"{env['DATABASE_URL']} still holds {existing} after being recreated.")
        ensure_database(env["DATABASE_URL"], fresh=True)


def child(env: dict, *args: str, timeout: float | None = None) -> dict:
    out = subprocess.run(
        [PYTHON, __file__, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE,
        text=True, timeout=timeout,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary_child(env: dict, timeout: float) -> dict:
    """One build in its own process; a build that overruns is stopped and reported."""
    started = time.monotonic()
    try:
        return child(env, "--summary", timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": time.monotonic() - started, "queries": None, "maxrss_mb": None,
                "timed_out": True}  # fmt: skip


def machine() -> dict:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    return {
        "nproc": run("nproc"),
        "memory": run("free", "-h").splitlines()[1:2],
        "postgres": run("psql", "--version"),
        "python": sys.version.split()[0],
    }


def load_baseline(path: Path) -> dict[str, dict]:
    """The baseline's rows by size, or nothing when the file is missing."""
    try:
        return json.loads(path.read_text())["sizes"]
    except (OSError, ValueError, KeyError):
        return {}


def baseline_rows(baseline: dict[str, dict], size: int, sizes: list[int]) -> tuple[str, dict]:
    """The baseline size to compare ``size`` with: the largest for the largest of this
    run, the smallest for the others (as long as it is smaller than the largest)."""
    if not baseline:
        return "", {}
    ordered = sorted(baseline, key=int)
    if size == max(sizes):
        return ordered[-1], baseline[ordered[-1]]
    if len(ordered) > 1 or int(ordered[0]) < 1000:
        return ordered[0], baseline[ordered[0]]
    return "", {}


def comparison(results: dict, baseline: dict[str, dict], path: Path) -> str:
    """Markdown: this run's p95 and queries next to the baseline's, row by row."""
    sizes = [int(s) for s in results["sizes"]]
    lines = [
        f"Baseline: `{path.name}`.",
        "",
        "| size | measurement | p50 ms | p95 ms | queries | baseline size | baseline p95 ms"
        " | baseline queries |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size, rows in results["sizes"].items():
        base_size, base = baseline_rows(baseline, int(size), sizes)
        for name, row in rows.items():
            old = base.get(name, {})
            old_p95 = f"{old['p95_ms']:.1f}" if old else "—"
            lines.append(
                f"| {int(size):,} | {name} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} |"
                f" {row.get('queries') or ''} | {f'{int(base_size):,}' if old else '—'} |"
                f" {old_p95} | {old.get('queries', '—') if old else '—'} |"
            )
    return "\n".join(lines)


def table(results: dict) -> str:
    lines = [
        "| organisations | measurement | median ms | p95 ms | queries | SQL ms | peak MB"
        " | runs | note |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size, rows in results["sizes"].items():
        for name, row in rows.items():
            peak, sql = row.get("peak_mb"), row.get("sql_ms")
            lines.append(
                f"| {int(size):,} | {name} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} |"
                f" {row.get('queries', '')} | {'' if sql is None else f'{sql:.1f}'} |"
                f" {'' if peak is None else f'{peak:.1f}'} | {row['runs']} |"
                f" {row.get('note', '')} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="160,52000", help="grassroots organisations")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--summary-runs", type=int, default=1, help="0: no summary build")
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    parser.add_argument("--label", default="", help="results-<date>-<label>.json")
    parser.add_argument("--summary-timeout", type=float, default=600, help="seconds per build")
    parser.add_argument("--base", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_BASE))
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--summary", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        return probe()
    if args.measure:
        return measure(runs=args.runs, warmup=args.warmup)
    if args.summary:
        return summary()

    results = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine()}
    results["settings"] = {"runs": args.runs, "warmup": args.warmup, "years": args.years}
    results["sizes"] = {}
    with tempfile.TemporaryDirectory(prefix="plan112-bench-") as media:
        for size in [int(s) for s in args.sizes.split(",")]:
            url = database_url(args.base, size)
            print(f"== {size:,} grassroots × {args.years} years — {url}", flush=True)
            ensure_database(url)
            env = child_env(url, media)
            started = time.monotonic()
            prepare(size, args.years, env)
            print(f"  data ready in {time.monotonic() - started:.1f}s", flush=True)
            rows = child(env, "--measure", "--runs", str(args.runs), "--warmup", str(args.warmup))
            print(json.dumps(rows), flush=True)  # kept even if the summary build fails
            builds = [summary_child(env, args.summary_timeout) for _ in range(args.summary_runs)]
            results["sizes"][str(size)] = rows
            if not builds:
                continue
            seconds = sorted(b["seconds"] for b in builds)
            timed_out = any(b.get("timed_out") for b in builds)
            rows["yearly summary build"] = {
                "median_ms": statistics.median(seconds) * 1000,
                "p95_ms": seconds[-1] * 1000,
                "queries": builds[-1]["queries"],
                "peak_mb": max((b["maxrss_mb"] or 0) for b in builds) or None,
                "runs": len(builds),
                "note": f"STOPPED after {args.summary_timeout:.0f} s, unfinished"
                if timed_out
                else "peak = max RSS of the building process",
            }
            for name, row in rows.items():
                print(
                    f"  {name:<58} median {row['median_ms']:9.1f} ms  p95 {row['p95_ms']:9.1f}"
                    f" ms  queries {row.get('queries', '-')!s:>5}  SQL"
                    f" {row.get('sql_ms') or 0:8.1f} ms  peak"
                    f" {row.get('peak_mb') or 0:7.1f} MB",
                    flush=True,
                )
    name = f"results-{dt.date.today().isoformat()}{f'-{args.label}' if args.label else ''}"
    out = ROOT / "bench" / f"{name}.json"
    if out.resolve() == args.baseline.resolve():  # never overwrite what it compares with
        out = out.with_name(f"{name}-rerun.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    md = table(results)
    against = comparison(results, load_baseline(args.baseline), args.baseline)
    out.with_suffix(".md").write_text(
        f"# Benchmark {results['date']}\n\nMachine: {results['machine']}\n\n{md}\n\n"
        f"## Against the baseline\n\n{against}\n"
    )
    print()
    print(md)
    print()
    print(against)
    print(f"\nWritten: {out} and {out.with_suffix('.md')}")


# Inside Django ------------------------------------------------------------------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plan112.settings")
    import django

    django.setup()


def probe() -> None:
    """What synthetic data the database holds: how many organisations, how many
    grassroots, and whether they form the cascade's tree (a commune committee coded
    like generate_scale's)."""
    django_setup()
    from organisations.models import Organisation

    synthetic = Organisation.objects.filter(code__startswith="SC-")
    print(
        json.dumps({
            "synthetic": synthetic.count(),
            "grassroots": synthetic.filter(kind="grassroots").count(),
            "tree": synthetic.filter(code=COMMUNE_CODE, kind="commune_committee").exists(),
        })
    )  # fmt: skip


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


def bare_sql(cycle_ids: list[int], cycle_id: int, runs: int) -> dict:
    """The aggregates underneath, straight through a cursor: the indicator sums over every
    figure of every cycle (what the rollup would compute without its running totals), the
    running totals it reads instead, and the status counts of one cycle (dashboard)."""
    from django.db import connection

    rollup_sql = """
        SELECT r.cycle_id, v.indicator_id, SUM(v.value), AVG(v.value), MAX(v.value), COUNT(v.value)
        FROM reports_indicatorvalue v JOIN reports_annualreport r ON r.id = v.report_id
        WHERE r.cycle_id = ANY(%s) AND r.status = 'accepted' AND v.value IS NOT NULL
        GROUP BY r.cycle_id, v.indicator_id"""
    tally_sql = """
        SELECT cycle_id, indicator_id, SUM(total), SUM(count), MAX(maximum)
        FROM reports_indicatortally
        WHERE cycle_id = ANY(%s) AND status = 'accepted' AND count > 0
        GROUP BY cycle_id, indicator_id"""
    dashboard_sql = """
        SELECT status, COUNT(*), COUNT(first_submitted_at)
        FROM reports_annualreport WHERE cycle_id = %s GROUP BY status"""
    out = {}
    for name, sql, params in (
        ("bare SQL: indicator sums over every figure, all cycles", rollup_sql, [cycle_ids]),
        ("bare SQL: the running totals the rollup reads, all cycles", tally_sql, [cycle_ids]),
        ("bare SQL: status counts, one cycle", dashboard_sql, [cycle_id]),
    ):

        def run(_arg, sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        out[name] = timed(run, runs=runs, warmup=2)
        out[name]["note"] = "raw cursor"
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
    results["dashboard (reviewer)"] = timed(
        get(reverse("reports:dashboard", args=[current.pk])), runs=runs, warmup=warmup
    )
    results["dashboard (reviewer, last page)"] = timed(
        get(reverse("reports:dashboard", args=[current.pk]) + "?trang=100000"),
        runs=runs, warmup=warmup,
    )  # fmt: skip
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
        assert response.status_code == 302, response.status_code
        assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED

    # Each run submits another draft: a small tree past the grassroots' due date may hold
    # fewer than the runs ask for, and then fewer runs are timed (the row says how many).
    left = len(drafts) - 1 - warmup - 2  # the query-count and memory runs take one each
    if left >= 3:
        results["submit (POST)"] = timed(
            submit, runs=min(runs, left), warmup=warmup, before=next_submission
        )
    results.update(bare_sql([c.pk for c in cycles], current.pk, runs))
    print(json.dumps(results))


def summary() -> None:
    """Build the latest closed cycle's yearly summary once, in this process; its memory
    is this process's peak plus LibreOffice's."""
    import resource

    django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reports.models import CycleStatus, ReportingCycle, SummaryStatus, YearlySummary
    from reports.summary.build import summary_build

    cycle = (
        ReportingCycle.objects.filter(plan__code=PLAN_CODE, status=CycleStatus.CLOSED)
        .order_by("-year")
        .first()
    ) or ReportingCycle.objects.filter(plan__code=PLAN_CODE).order_by("-year").first()
    summary, _ = YearlySummary.objects.update_or_create(
        cycle=cycle,
        defaults={"status": SummaryStatus.QUEUED, "requested_at": timezone.now(), "number": "1"},
    )
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        built = summary_build(summary_id=summary.pk)
        seconds = time.perf_counter() - started
    summary.refresh_from_db()
    if not built:
        sys.exit(f"summary build failed: {summary.error}")
    # Peak RSS, in KiB on Linux, of this process and of the largest process it waited for:
    # LibreOffice, which converts beside it. Their sum bounds what the build needs at once
    # (from above: the two peaks need not coincide, and a child started with vfork counts
    # this process's pages until it runs LibreOffice).
    python = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    office = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "seconds": seconds, "queries": len(ctx), "maxrss_mb": python + office,
        "python_mb": python, "office_mb": office, "pdf": bool(summary.pdf),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
