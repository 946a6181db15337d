"""The demo accounts: a reporter for every organisation that reports on a plan, the
reviewer and the leader named in demo.yaml, and an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from organisations.models import Membership, Organisation, OrganisationKind, Role, User
from organisations.services import membership_grant
from reports.demo.data import demo_data
from reports.models import AnnualReport, CycleStatus, ReportingCycle, ReportStatus
from tasks.models import Plan
from tasks.selectors import organisations_in_scope, tasks_reported_by


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str


def reporter_username(organisation: Organisation) -> str:
    return "bc-" + organisation.code.split("-", 1)[-1].lower()


def _ensure(*, username: str, password: str, full_name: str, position: str, email: str = ""):
    """Like organisations.services.user_ensure, with the password already hashed: the
    demo's accounts share one public password, and hashing it once rather than for each
    of some two hundred accounts saves most of a minute of seeding."""
    return User.objects.get_or_create(
        username=username,
        defaults={
            "last_name": full_name,
            "position": position,
            "email": email,
            "password": password,
        },
    )


def _account(user, role: Role, org: Organisation, created: bool) -> DemoAccount:
    """A new account gets its membership; an existing one keeps what it has, since a
    restructuring may have moved or ended it since (members: move / end)."""
    if created:
        membership_grant(user=user, organisation=org, role=role)
    current = list(user.memberships.select_related("organisation").order_by("pk"))
    if not current:
        until = f" {org.valid_to:%d/%m/%Y}" if org.valid_to else ""
        ended = f"{org.name} (kết thúc hoạt động{until}, không còn phân công)"
        return DemoAccount(user.username, role.label, ended)
    first = current[0]
    return DemoAccount(user.username, Role(first.role).label, first.organisation.name)


@transaction.atomic
def demo_accounts_create(*, password: str) -> list[DemoAccount]:
    """A reporter for every organisation that reports on a plan or contributes to it, the
    reviewers and the leader named in demo.yaml and an administrator. Safe to run again, after a
    restructuring too: only accounts that do not exist yet are created, and an account
    whose organisation does not exist yet (a committee formed later) is left for later."""
    data = demo_data()
    password = make_password(password)
    accounts: list[DemoAccount] = []
    reporters: dict[int, Organisation] = {}
    candidates = list(Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL))
    for plan in Plan.objects.all():
        for org_id, tasks in organisations_in_scope(plan, candidates).items():
            if tasks:
                reporters[org_id] = next(o for o in candidates if o.pk == org_id)
        # The bodies that contribute instead of reporting write their contributions.
        for contributor in plan.contributors.all():
            for org in candidates:
                if contributor.selects(org):
                    reporters[org.pk] = org
    for org in sorted(reporters.values(), key=lambda o: (o.kind, o.code)):
        username = reporter_username(org)
        user, created = _ensure(
            username=username,
            password=password,
            full_name=data.reporter_name.format(organisation=org.display_name),
            position=data.reporter_position,
            email=f"{username}@example.invalid",
        )
        accounts.append(_account(user, Role.REPORTER, org, created))

    by_code = {o.code: o for o in candidates}
    for staff in data.staff:
        org = by_code.get(staff.organisation)
        if org is None:
            continue
        user, created = _ensure(
            username=staff.username,
            password=password,
            full_name=staff.full_name,
            position=staff.position,
            email=f"{staff.username}@example.invalid",
        )
        accounts.append(_account(user, Role(staff.role), org, created))

    admin, created = _ensure(
        username=data.admin["username"],
        password=password,
        full_name=data.admin["full_name"],
        position=data.admin["position"],
    )
    if created or not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    accounts.append(DemoAccount(admin.username, data.admin["full_name"], "—"))
    return accounts


def demo_reporter_to_try() -> str | None:
    """The reporter to sign in as first: one whose report of an open cycle is still to
    write (not started, or a draft), preferably the one demo.yaml names."""
    open_cycles = list(ReportingCycle.objects.filter(status=CycleStatus.OPEN))
    if not open_cycles:
        return None
    busy = set(
        AnnualReport.objects.filter(cycle__in=open_cycles)
        .exclude(status=ReportStatus.DRAFT)
        .values_list("organisation_id", flat=True)
    )
    candidates = [
        m
        for m in Membership.objects.filter(role=Role.REPORTER, user__username__startswith="bc-")
        .select_related("user", "organisation")
        .order_by("user__username")
        if m.organisation_id not in busy
        and any(tasks_reported_by(c.plan, m.organisation) for c in open_cycles)
    ]
    preferred = [
        m
        for m in candidates
        if m.organisation.code == demo_data().try_first
        and m.user.username == reporter_username(m.organisation)
    ]
    chosen = (preferred or candidates or [None])[0]
    return chosen.user.username if chosen else None
