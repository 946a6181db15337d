"""Deadline day on loopback: 200 reporters of different organisations save and submit.

    .venv/bin/python bench/load.py --think 30 --saves 3   # people who type between saves
    .venv/bin/python bench/load.py                         # no pause at all: the capacity
    .venv/bin/python bench/load.py --clients 50 --seconds 30

Starts gunicorn on 127.0.0.1 (a free port, DEBUG off, --workers 3) against the bench
database made by bench/run.py, signs each simulated reporter in by creating its session
directly (its own account, password `--password`), and runs one thread per reporter:
open the form, save a draft with a text unique to this save, again and again, then
submit. With `--think S` each reporter starts at a random moment within S seconds and
types for 0.5–1.5 × S seconds before each save, as people do; it submits after `--saves`
saves, or earlier when `--seconds` are nearly up. Without it, requests follow each other
with no pause, which measures what the server can carry. Prints
p50/p95/p99 and errors, and where the cores' time went (CPU seconds of gunicorn's
processes, of PostgreSQL's and of this load generator, read from /proc), then checks in
the database that the text of every client's last acknowledged save (HTTP 302 after
POST) is what the database holds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/plan112_bench_52000"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def prepare(clients: int, password: str) -> list[dict]:
    """Reporters for `clients` draft reports of the current cycle, with sessions."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from bench.pages import full_post
    from organisations.models import Membership, Role, User
    from reports.models import AnnualReport, ReportingCycle, ReportStatus

    cycle = ReportingCycle.objects.filter(plan__code="112-KH-TU").order_by("-year").first()
    reports = list(
        AnnualReport.objects.filter(cycle=cycle, status=ReportStatus.DRAFT)
        .select_related("organisation")
        .order_by("-pk")[:clients]
    )
    if len(reports) < clients:
        sys.exit(f"Only {len(reports)} draft reports left; regenerate the bench database.")
    sample = AnnualReport.objects.filter(status=ReportStatus.ACCEPTED).latest("pk")
    hashed = make_password(password)
    out = []
    for report in reports:
        user, _ = User.objects.get_or_create(
            username=f"load-{report.organisation.code}", defaults={"password": hashed}
        )
        Membership.objects.get_or_create(
            user=user, organisation=report.organisation, role=Role.REPORTER
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        data = full_post(report, sample)
        data.pop("version")
        out.append(
            {
                "report": report.pk,
                "path": reverse("reports:report_edit", args=[report.pk]),
                "session": session.session_key,
                "cookie": settings.SESSION_COOKIE_NAME,
                "data": data,
            }
        )
    return out


class Client(threading.Thread):
    def __init__(
        self, n: int, spec: dict, port: int, saves: int, until: float, think: float, results
    ):
        super().__init__(daemon=True)
        self.n, self.spec, self.port, self.saves, self.until = n, spec, port, saves, until
        self.think, self.results = think, results
        self.random = random.Random(n)  # noqa: S311 - pacing, not secrets
        self.cookies = {spec["cookie"]: spec["session"]}
        self.last_saved: str | None = None
        self.submitted = False
        self.path = spec["path"]

    def request(self, method: str, path: str, body: dict | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        payload = None
        if body is not None:
            payload = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        started = time.perf_counter()
        try:
            conn.request(method, path, payload, headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except OSError as exc:
            self.results.append((method, time.perf_counter() - started, f"error {exc}"))
            return None, ""
        finally:
            conn.close()
        self.results.append((method, time.perf_counter() - started, response.status))
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, text

    def form(self) -> tuple[str, str] | None:
        response, text = self.request("GET", self.path)
        if response is None or response.status != 200:
            return None
        version = re.search(r'name="version" value="(\d+)"', text)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if not version or not token:
            return None
        return version.group(1), token.group(1)

    def pause(self, seconds: float) -> None:
        time.sleep(max(0.0, min(seconds, self.until - time.monotonic())))

    def run(self) -> None:
        """Open the form, type for a while, save (the browser then reloads the form),
        again, and submit last; without --think, every request right after the other.
        A reporter whose time is nearly up submits at once."""
        self.pause(self.random.uniform(0, self.think))  # reporters do not start together
        for i in range(self.saves + 1):
            if time.monotonic() > self.until:
                break
            form = self.form()
            if form is None:
                continue
            version, token = form
            typing = self.random.uniform(0.5, 1.5) * self.think
            last_chance = time.monotonic() + 2 * typing > self.until
            self.pause(typing)
            text = f"Tải thử: người {self.n}, lần lưu {i}, {time.time():.6f}"
            body = self.spec["data"] | {
                "version": version, "csrfmiddlewaretoken": token, "s1-results": text,
            }  # fmt: skip
            submitting = i == self.saves or (self.think > 0 and last_chance)
            if submitting:
                body["submit"] = "1"
            response, _ = self.request("POST", self.path, body)
            if response is not None and response.status == 302:
                self.last_saved = text
                self.submitted = submitting
            if submitting:
                break


def _proc_stat(pid: int) -> tuple[str, int, int, float, float] | None:
    """(name, parent pid, process group, own CPU seconds, reaped children's CPU seconds)
    of a process, from /proc (Linux); None when it is gone or /proc is not there."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    tick = os.sysconf("SC_CLK_TCK")
    utime, stime, cutime, cstime = (int(v) / tick for v in fields[11:15])
    return name, int(fields[1]), int(fields[2]), utime + stime, cutime + cstime


def cpu_split(server_group: int) -> dict[str, float]:
    """CPU seconds used so far by the application (gunicorn's process group) and by
    PostgreSQL (every process named postgres), counting the exited processes their
    parents reaped (a gunicorn worker restarted, a PostgreSQL backend closed)."""
    seconds = {"gunicorn": 0.0, "postgresql": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _proc_stat(int(entry.name))
        if stat is None:
            continue
        name, _parent, group, own, reaped = stat
        if group == server_group:
            seconds["gunicorn"] += own + reaped
        elif name == "postgres" or name.startswith("postgres:"):
            seconds["postgresql"] += own + reaped
    return seconds


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--saves", type=int, default=8, help="saves per client before submitting")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument(
        "--think", type=float, default=0,
        help="mean seconds a reporter types between opening the form and saving (0: none)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--password", default="tai-thu-2026")
    args = parser.parse_args()
    if "test" in args.database.rsplit("/", 1)[-1]:
        sys.exit("Refusing to load a test database.")

    env = dict(os.environ, DATABASE_URL=args.database, DEBUG="false", PLAN112_ENV="development")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plan112.settings")
    import django

    django.setup()
    specs = prepare(args.clients, args.password)
    from django.db import connections

    connections.close_all()

    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, on loopback only
        [str(Path(sys.executable).parent / "gunicorn"), "plan112.wsgi", "-b", f"{HOST}:{port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection((HOST, port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        print(f"gunicorn on {HOST}:{port}, {args.workers} workers; {len(specs)} reporters")
        results: list = []
        until = time.monotonic() + args.seconds
        clients = [
            Client(n, spec, port, args.saves, until, args.think, results)
            for n, spec in enumerate(specs)
        ]
        cpu_before = cpu_split(server.pid)
        self_before = time.process_time()
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - started
        cpu_after = cpu_split(server.pid)
        load_cpu = time.process_time() - self_before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    from reports.models import AnnualReport, ReportStatus, TaskSection

    times = [t for _m, t, _s in results]
    errors = [s for _m, _t, s in results if not isinstance(s, int) or s >= 400]
    summary = {"requests": len(results), "seconds": round(elapsed, 1), "errors": len(errors)}
    summary["settings"] = {
        "clients": args.clients, "saves": args.saves, "seconds": args.seconds,
        "think": args.think, "workers": args.workers,
    }  # fmt: skip
    summary["throughput_rps"] = round(len(results) / elapsed, 1)
    # Where the two cores went: the application, the database and the load generator
    # itself (all on this machine), in CPU seconds and as a share of the cores' time.
    used = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
    used["load generator"] = load_cpu
    capacity = elapsed * (os.cpu_count() or 1)
    summary["cpu"] = {
        name: {"seconds": round(value, 1), "share_of_cores": round(value / capacity, 3)}
        for name, value in used.items()
    }
    summary["cpu_per_request_ms"] = {
        name: round(value * 1000 / max(1, len(results)), 1) for name, value in used.items()
    }
    for method in ("GET", "POST"):
        subset = [t for m, t, _s in results if m == method]
        if subset:
            summary[method] = {
                "n": len(subset),
                "p50_ms": round(statistics.median(subset) * 1000, 1),
                "p95_ms": round(percentile(subset, 95) * 1000, 1),
                "p99_ms": round(percentile(subset, 99) * 1000, 1),
            }
    summary["all"] = {
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(percentile(times, 95) * 1000, 1),
        "p99_ms": round(percentile(times, 99) * 1000, 1),
    }
    held = dict(
        TaskSection.objects.filter(
            report_id__in=[c.spec["report"] for c in clients], task__number=1
        ).values_list("report_id", "results")
    )
    statuses = dict(
        AnnualReport.objects.filter(pk__in=[c.spec["report"] for c in clients]).values_list(
            "pk", "status"
        )
    )
    lost = [
        c.n for c in clients if c.last_saved is not None and held[c.spec["report"]] != c.last_saved
    ]
    unsubmitted = [
        c.n for c in clients if c.submitted and statuses[c.spec["report"]] != ReportStatus.SUBMITTED
    ]
    summary["acknowledged_clients"] = sum(c.last_saved is not None for c in clients)
    summary["submitted"] = sum(c.submitted for c in clients)
    summary["lost_saves"] = len(lost)
    summary["lost_submissions"] = len(unsubmitted)
    summary["error_samples"] = [str(e) for e in errors[:5]]
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    mode = f"think{args.think:g}" if args.think else "nopause"
    out = ROOT / "bench" / f"load-{time.strftime('%Y-%m-%d')}-{mode}.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"Written: {out}")


if __name__ == "__main__":
    main()
