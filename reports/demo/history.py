"""The demo history: three closed yearly cycles per plan and the current year's open one,
played step by step through the real services.

Every step runs now and is then dated back to the moment it would have happened
(`back_dated`), so events, snapshots, files and running totals are what the pages would
have produced, and the timestamps tell a believable story. Deterministic:
random.Random(112)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from organisations.models import (
    COMMITTEE_KINDS,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from reports.demo.accounts import reporter_username
from reports.demo.backdating import back_dated
from reports.demo.contributions import demo_contributions
from reports.demo.counts import cycle_line, demo_history_counts
from reports.demo.data import demo_data
from reports.demo.documents import report_scan, subplan_number, subplan_scan
from reports.demo.restructure import applied, apply_restructurings, restructurings
from reports.demo.writing import Profile, ReportWriter
from reports.models import (
    AnnualReport,
    AttachmentKind,
    IndicatorValue,
    ReportingCycle,
    ReportStatus,
    end_of_day,
)
from reports.services.cycles import cycle_close, cycle_open
from reports.services.files import attachment_add
from reports.services.reports import (
    report_accept,
    report_return,
    report_save,
    report_start,
    report_submit,
)
from reports.services.subplans import subplan_register
from tasks.models import Plan
from tasks.selectors import organisations_in_scope, subplan_expected_organisations

# Levels that report first: their committee's report comes after them.
LOWER_KINDS = (OrganisationKind.CELL, OrganisationKind.GRASSROOTS)


class _History(ReportWriter):
    """The history of one plan, built in chronological order."""

    def __init__(self, plan, *, today, rng, reviewer):
        self.plan = plan
        self.rng = rng
        self.reviewer = reviewer
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.today = today
        # Everything happens before today: never in the future of the person looking.
        self.ceiling = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(17, 30), self.zone)
        self.first_year = today.year - 3
        self.tasks = list(plan.tasks.order_by("number").prefetch_related("indicators"))
        self.rules = list(plan.rules.all())
        self.profiles: dict[int, Profile] = {}
        self._refresh()

    def _refresh(self) -> None:
        """(Re)read organisations, reporters and reviewers: a restructuring closes some
        organisations, forms others and moves or ends memberships. Profiles drawn
        before are kept, so an organisation stays the same from year to year."""
        reporters = _reporters()
        candidates = list(
            Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL).order_by("code")
        )
        scope = organisations_in_scope(self.plan, candidates)
        self.scope = {o.pk: scope[o.pk] for o in candidates if scope[o.pk] and o.pk in reporters}
        communes = Counter(o.parent_id for o in candidates if o.kind == OrganisationKind.GRASSROOTS)
        for org in candidates:
            if org.pk not in self.scope:
                continue
            if org.pk in self.profiles:
                self.profiles[org.pk].organisation = org
                self.profiles[org.pk].user = reporters[org.pk]
            else:
                self.profiles[org.pk] = self._profile(org, reporters[org.pk], communes[org.pk])
        # A reviewer at a committee's Ban Tổ chức reviews what is addressed to the committee.
        self.reviewers = {
            m.organisation.served_committee_id: m.user
            for m in Membership.objects.filter(role=Role.REVIEWER)
            .select_related("user", "organisation")
            .order_by("-user__username")
        }
        self.try_first = next((o.pk for o in candidates if o.code == demo_data().try_first), None)

    # Time ---------------------------------------------------------------------------

    def _at(self, day: dt.date, *, back: bool = True) -> dt.datetime:
        """A moment in office hours that day (a Sunday moves to Saturday, or Monday)."""
        if day.weekday() == 6:
            day += dt.timedelta(days=-1 if back else 1)
        clock = dt.time(self.rng.randint(7, 16), self.rng.randrange(60))
        return dt.datetime.combine(day, clock, self.zone)

    def _days(self, low: dt.date, high: dt.date, count: int) -> list[dt.date]:
        span = max((high - low).days, 0)
        if span + 1 >= count:
            offsets = sorted(self.rng.sample(range(span + 1), count))
        else:
            offsets = sorted(self.rng.randint(0, span) for _ in range(count))
        return [low + dt.timedelta(days=o) for o in offsets]

    def _ordered(self, steps: list[tuple[str, dt.datetime]], cap: dt.datetime):
        """Steps strictly in time order and all before the cap."""
        out: list[tuple[str, dt.datetime]] = []
        for kind, moment in steps:
            if out and moment <= out[-1][1]:
                moment = out[-1][1] + dt.timedelta(minutes=self.rng.randint(7, 50))
            out.append((kind, moment))
        last = len(out) - 1
        return [
            (kind, min(moment, cap - dt.timedelta(minutes=5 * (last - i))))
            for i, (kind, moment) in enumerate(out)
        ]

    def _with_scan(self, steps, probability: float):
        """A signed scan attached a few minutes before most submissions."""
        out = []
        for kind, moment in steps:
            if kind in ("submit", "resubmit") and self.rng.random() < probability:
                before = moment - dt.timedelta(minutes=self.rng.randint(4, 40))
                out.append(("attach", before))
            out.append((kind, moment))
        return out

    # Stories ------------------------------------------------------------------------

    def _past_stories(self, orgs: list[Organisation]) -> dict[int, tuple[str, bool]]:
        """Mostly accepted; some after a return; some late; 1–2 missing; one left
        submitted. The least diligent are the ones missing or late."""
        rng = self.rng
        ranked = sorted(orgs, key=lambda o: self.profiles[o.pk].diligence + rng.uniform(-0.3, 0.3))
        n_missing = min(rng.randint(1, 2), max(len(ranked) - 3, 0))
        rest = ranked[n_missing:]
        late = {o.pk for o in rest[: rng.randint(2, 4)]}
        pool = rest[:]
        rng.shuffle(pool)
        n_returned = rng.randint(2, 4)
        stories = {o.pk: ("missing", False) for o in ranked[:n_missing]}
        for i, org in enumerate(pool):
            story = "submitted" if i == 0 else "returned" if i <= n_returned else "accepted"
            stories[org.pk] = (story, org.pk in late)
        return stories

    def _current_stories(self, orgs: list[Organisation], active: bool) -> dict[int, str]:
        """A few submitted, one returned, one accepted, several drafts, the rest nothing."""
        rng = self.rng
        if not active:
            return {o.pk: "missing" for o in orgs}
        ranked = sorted(
            orgs, key=lambda o: -(self.profiles[o.pk].diligence + rng.uniform(-0.3, 0.3))
        )
        n_submitted, n_drafts = rng.randint(3, 4), rng.randint(5, 7)
        top = ranked[: n_submitted + 2]
        rng.shuffle(top)
        names = ["accepted", "returned"] + ["submitted"] * n_submitted + ["draft"] * n_drafts
        stories = {o.pk: "missing" for o in orgs}
        for org, story in zip(top + ranked[n_submitted + 2 :], names, strict=False):
            stories[org.pk] = story
        if stories.get(self.try_first, "missing") != "missing":
            # The account the quick start names keeps a report to write: it trades its
            # story with the most diligent of those who have not started.
            stand_in = next((o.pk for o in ranked if stories[o.pk] == "missing"), None)
            if stand_in is not None:
                stories[stand_in], stories[self.try_first] = stories[self.try_first], "missing"
        return stories

    def _past_steps(self, cycle, story: str, late: bool, cap: dt.datetime, due: dt.date):
        rng, opens = self.rng, cycle.opens_on
        if late:
            start, save = self._days(opens + dt.timedelta(days=5), due, 2)
            submit = self._at(due + dt.timedelta(days=rng.randint(1, 24)), back=False)
        else:
            start, save, submit_day = self._days(opens, due, 3)
            submit = self._at(submit_day)
        steps = [("start", self._at(start)), ("save", self._at(save)), ("submit", submit)]
        after = submit.date()
        if story == "accepted":
            steps.append(("accept", self._at(after + dt.timedelta(days=rng.randint(1, 8)))))
        elif story == "returned":
            back = after + dt.timedelta(days=rng.randint(1, 6))
            again = back + dt.timedelta(days=rng.randint(2, 9))
            accept = again + dt.timedelta(days=rng.randint(1, 5))
            steps += [
                ("return", self._at(back)),
                ("resubmit", self._at(again, back=False)),
                ("accept", self._at(accept, back=False)),
            ]
        return self._ordered(self._with_scan(steps, 0.85), cap)

    def _current_steps(self, cycle, story: str, cap: dt.datetime):
        kinds = {
            "submitted": ["start", "save", "submit"],
            "accepted": ["start", "save", "submit", "accept"],
            "returned": ["start", "save", "submit", "return"],
            "draft": ["start", "save"] + (["save"] if self.rng.random() < 0.5 else []),
        }[story]
        days = self._days(cycle.opens_on, cap.date(), len(kinds))
        steps = [(kind, self._at(day, back=False)) for kind, day in zip(kinds, days, strict=True)]
        return self._ordered(self._with_scan(steps, 0.85), cap)

    # Playing ------------------------------------------------------------------------

    def _play(self, cycle, profile: Profile, story: str, steps) -> None:
        rng, user = self.rng, profile.user
        org = profile.organisation
        numbers = sorted(self.scope[org.pk])
        full = self._content(profile, numbers, cycle.year, self._floor(cycle, org))
        first, comments, fixed = full, {}, full
        if story == "returned":
            first, comments, fixed = self._returned_versions(profile, full, cycle.year)
        saves = iter([self._draft(full, rng.uniform(0.3, 0.5)), self._draft(full, 0.7)])
        submitted = False
        report = None
        for kind, moment in steps:
            with back_dated(moment):
                if kind == "start":
                    report = report_start(
                        cycle=cycle, organisation=profile.organisation, actor=user
                    )
                elif kind == "save":
                    report = report_save(
                        report=report, content=next(saves), version=report.version, actor=user
                    )
                elif kind == "attach":
                    attachment_add(
                        report=report,
                        checked=report_scan(
                            self.plan, profile.organisation, cycle.year, corrected=submitted
                        ),
                        kind=AttachmentKind.SIGNED_SCAN,
                        actor=user,
                    )
                elif kind in ("submit", "resubmit"):
                    content = first if kind == "submit" else fixed
                    report = report_submit(
                        report=report, content=content, version=report.version, actor=user
                    )
                    submitted = True
                elif kind == "return":
                    report = report_return(
                        report=report,
                        comment=rng.choice(demo_data().return_comments).format(year=cycle.year),
                        section_comments=comments,
                        actor=self._reviewer(report),
                    )
                elif kind == "accept":
                    comment = demo_data().accept_comment if rng.random() < 0.3 else ""
                    report = report_accept(
                        report=report, actor=self._reviewer(report), comment=comment
                    )

    def _reviewer(self, report: AnnualReport) -> User:
        """The reviewer of the committee the report is addressed to."""
        return self.reviewers.get(report.reports_to_id, self.reviewer)

    def _floor(self, cycle, org: Organisation) -> dict:
        """For a committee: the sums of the accepted reports addressed to it."""
        if org.kind not in COMMITTEE_KINDS:
            return {}
        rows = (
            IndicatorValue.objects.filter(
                report__cycle=cycle,
                report__reports_to=org,
                report__status=ReportStatus.ACCEPTED,
                value__isnull=False,
            )
            .values("indicator__code")
            .annotate(total=Sum("value"))
        )
        return {row["indicator__code"]: row["total"] for row in rows}

    def _active(self, cycle) -> list[Organisation]:
        """Organisations with a reporter that existed during the cycle's period, the
        lower levels first (a committee writes after reading theirs)."""
        orgs = [
            p.organisation
            for pk, p in self.profiles.items()
            if pk in self.scope
            and (p.organisation.valid_from is None or p.organisation.valid_from <= cycle.period_end)
            and (p.organisation.valid_to is None or p.organisation.valid_to >= cycle.period_start)
        ]
        return sorted(orgs, key=lambda o: (o.kind not in LOWER_KINDS, o.code))

    def _play_past(self, cycle, orgs, cap, *, window: dt.date | None = None) -> None:
        stories = self._past_stories(orgs)
        for org in orgs:
            story, late = stories[org.pk]
            if story == "missing":
                continue
            if window is not None:  # before closing: on time, and accepted at once
                story, late = ("accepted" if story == "submitted" else story), False
            due = window or cycle.due_on_for(org.kind)
            steps = self._past_steps(cycle, story, late, cap, due)
            self._play(cycle, self.profiles[org.pk], story, steps)

    def cycle(
        self, year: int, *, current: bool, restructure: Callable[[], None] | None = None
    ) -> ReportingCycle:
        """One yearly cycle. ``restructure`` (the year of a restructuring): the cycle opens
        in June, the committees about to close report before they close on 30/06, the
        restructuring is applied, and the organisations formed on 1 July report in
        December for the whole year."""
        opens, due = dt.date(year, 11, 1), dt.date(year, 12, 15)
        if restructure is not None:
            opens = dt.date(year, 6, 1)
        closes = dt.date(year + 1, 1, 31)
        created = min(self._at(opens - dt.timedelta(days=12)), self.ceiling)
        with back_dated(created):
            cycle = cycle_open(
                plan=self.plan, year=year,
                period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
                opens_on=opens, due_on=due, closes_on=closes, actor=self.reviewer,
            )  # fmt: skip
        closing = min(dt.datetime.combine(closes, dt.time(16, 30), self.zone), self.ceiling)
        cap = closing - dt.timedelta(minutes=30)
        if restructure is not None:
            before = dt.date(year, 6, 25)
            leaving = [
                o for o in self._active(cycle) if o.kind == OrganisationKind.DISTRICT_COMMITTEE
            ]
            last_day = dt.datetime.combine(dt.date(year, 6, 29), dt.time(16, 30), self.zone)
            self._play_past(cycle, leaving, min(last_day, cap), window=before)
            restructure()
            self._refresh()
            played = set(cycle.reports.values_list("organisation_id", flat=True))
            staying = [
                o
                for o in self._active(cycle)
                if o.pk not in played and (o.valid_to is None or o.valid_to >= cycle.period_end)
            ]
            self._play_past(cycle, staying, cap)
            self._contributions(cycle)
            with back_dated(closing):
                cycle_close(cycle=cycle, actor=self.reviewer)
            return cycle
        orgs = self._active(cycle)
        if current:
            cap = min(self.ceiling, end_of_day(due))
            active = (cap.date() - opens).days >= 3
            stories = self._current_stories(orgs, active)
            for org in orgs:
                if stories[org.pk] != "missing":
                    steps = self._current_steps(cycle, stories[org.pk], cap)
                    self._play(cycle, self.profiles[org.pk], stories[org.pk], steps)
            return cycle
        self._play_past(cycle, orgs, cap)
        self._contributions(cycle)
        with back_dated(closing):
            cycle_close(cycle=cycle, actor=self.reviewer)
        return cycle

    def _contributions(self, cycle) -> None:
        """The last two closed years: the bodies asked send their contributions (one late,
        one never). Their own random stream, so the reports' stay as they were."""
        if cycle.year < self.today.year - 2:
            return
        rng = random.Random(f"contributions-{cycle.year}")  # noqa: S311 - demo data
        demo_contributions(cycle, rng=rng, writers=_reporters(), zone=self.zone, dated=back_dated)

    def subplans(self) -> int:
        """About two thirds of the committees that must issue their own plan do, some
        before the plan's deadline and some after. Returns how many."""
        rng, due = self.rng, self.plan.subplans_due
        expected = [
            o for o in subplan_expected_organisations(self.plan, day=due) if o.pk in self.profiles
        ]
        chosen: list[Organisation] = []
        for kind in sorted({o.kind for o in expected}):
            of_kind = [o for o in expected if o.kind == kind]
            chosen += rng.sample(of_kind, round(len(of_kind) * 2 / 3))
        chosen.sort(key=lambda o: -self.profiles[o.pk].diligence)
        on_time = round(len(chosen) * 0.6)
        for i, org in enumerate(chosen):
            if i < on_time:
                day = due - dt.timedelta(days=rng.randint(0, 45))
            else:
                day = due + dt.timedelta(days=rng.randint(5, 150))
            moment = min(self._at(day), self.ceiling)
            issued = moment.date() - dt.timedelta(days=rng.randint(1, 12))
            number = subplan_number(org, rng.randint(3, 60))
            checked = subplan_scan(self.plan, org, number)
            with back_dated(moment):
                subplan_register(
                    plan=self.plan, organisation=org, number=number, issued_on=issued,
                    checked=checked, actor=self.profiles[org.pk].user,
                )  # fmt: skip
        return len(chosen)


def _reporters() -> dict[int, User]:
    """The demo reporter of each organisation: the one named after it when a merger has
    moved others' reporters to it too."""
    out: dict[int, User] = {}
    for m in (
        Membership.objects.filter(role=Role.REPORTER, user__username__startswith="bc-")
        .select_related("user", "organisation")
        .order_by("user__username")
    ):
        named = m.user.username == reporter_username(m.organisation)
        if named or m.organisation_id not in out:
            out[m.organisation_id] = m.user
    return out


def demo_history_create(
    *, today: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> dict:
    """For every plan with no reporting cycle yet: three closed yearly cycles and the
    current year's open one, with reports in believable states, signed scans and the
    committees' own implementation plans — all made through reports.services and dated
    back to the moments they would have happened. No e-mail is left for the past. A second
    run creates nothing. `progress` receives one line per step, in Vietnamese. Returns the
    counts (demo_history_counts)."""
    real_today = timezone.localdate()
    today = today or real_today
    if today > real_today:
        # Dating back relies on every demo moment being earlier than the real clock.
        raise ValueError(f"Lịch sử trình diễn không thể kết thúc sau hôm nay ({today}).")
    say = progress or (lambda line: None)
    rng = random.Random(112)  # noqa: S311 - demo data, not secrets
    reviewer_name = next(s.username for s in demo_data().staff if s.role == Role.REVIEWER)
    reviewer = User.objects.filter(username=reviewer_name).first()
    reporters = _reporters()
    created = False
    for plan in Plan.objects.order_by("pk"):
        if ReportingCycle.objects.filter(plan=plan).exists():
            continue
        if reviewer is None or not reporters:
            raise ValueError(
                "Chưa có tài khoản trình diễn: hãy chạy demo_accounts_create trước"
                " (demo accounts are needed first)."
            )
        say(f"Lịch sử báo cáo của Kế hoạch {plan.number}:")
        with transaction.atomic():
            if plan.subplans_due is None:  # demo configuration
                plan.subplans_due = dt.date(today.year - 3, 3, 31)
                Plan.objects.filter(pk=plan.pk).update(subplans_due=plan.subplans_due)
            history = _History(plan, today=today, rng=rng, reviewer=reviewer)
            count = history.subplans()
            say(f"  Kế hoạch thực hiện của các cấp ủy: {count} đã đăng ký.")
            for year in range(today.year - 3, today.year + 1):
                files = [p for y, p in restructurings() if y <= year and not applied(p)]
                if any(y < year for y, p in restructurings() if p in files):
                    apply_restructurings(files, say)  # an earlier year's: before the cycle
                    history._refresh()
                    files = []
                cycle = history.cycle(
                    year,
                    current=year == today.year,
                    restructure=(lambda fs=files: apply_restructurings(fs, say)) if files else None,
                )
                say(cycle_line(cycle))
        created = True
    return {**demo_history_counts(), "created": created}
