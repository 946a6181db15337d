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
The yearly summary is built in its own process; its memory figure is that process's peak
RSS plus LibreOffice's (its child), each at its own peak.

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
DEFAULT_BASELINE = ROOT / "bench" / "results-2026-12-01-cascade-after.json"
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


# The pages whose cost must not follow the number of years.
DECADE_ROWS = (
    "dashboard (reviewer)",
    "cascade: dashboard, commune (SC-X000001)",
    "rollup (leader)",
    "cascade: rollup, commune (SC-X000001)",
)


def decade(args, media: str) -> dict:
    """The same tree with ten years of cycles, in a database of its own: the dashboard and
    the rollup, whose query counts must be those of five years."""
    size = args.decade_size
    url = f"{database_url(args.base, size)}_y10"
    print(f"== {size:,} grassroots × 10 years — {url}", flush=True)
    ensure_database(url)
    env = child_env(url, media)
    prepare(size, 10, env)
    rows = child(env, "--measure", "--runs", str(args.runs), "--warmup", str(args.warmup))
    return {"size": size, "years": 10, "rows": {k: rows[k] for k in DECADE_ROWS if k in rows}}


def decade_table(decade_results: dict) -> str:
    lines = [
        f"Ten years of cycles at {decade_results['size']:,} grassroots:",
        "",
        "| measurement | median ms | p95 ms | queries |",
        "|---|---:|---:|---:|",
    ]
    for name, row in decade_results["rows"].items():
        lines.append(
            f"| {name} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} | {row['queries']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="160,52000", help="grassroots organisations")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument(
        "--decade-size", type=int, default=160, help="grassroots of the 10-year tree; 0: none"
    )
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
        sys.path.insert(0, str(ROOT))
        from bench.pages import measure

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
                else "peak = building process + LibreOffice, each at its peak"
                f" ({builds[-1].get('python_mb') or 0:.0f}"
                f" + {builds[-1].get('office_mb') or 0:.0f} MB)",
            }
            for name, row in rows.items():
                print(
                    f"  {name:<58} median {row['median_ms']:9.1f} ms  p95 {row['p95_ms']:9.1f}"
                    f" ms  queries {row.get('queries', '-')!s:>5}  SQL"
                    f" {row.get('sql_ms') or 0:8.1f} ms  peak"
                    f" {row.get('peak_mb') or 0:7.1f} MB",
                    flush=True,
                )
        if args.decade_size:
            results["decade"] = decade(args, media)
    name = f"results-{dt.date.today().isoformat()}{f'-{args.label}' if args.label else ''}"
    out = ROOT / "bench" / f"{name}.json"
    if out.resolve() == args.baseline.resolve():  # never overwrite what it compares with
        out = out.with_name(f"{name}-rerun.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    md = table(results)
    if "decade" in results:
        md += "\n\n" + decade_table(results["decade"])
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
