"""The demo accounts: a reporter for every organisation that reports on a plan, the
reviewer and the leader named in demo.yaml, and an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from organisations.models import Membership, Organisation, OrganisationKind, Role
from organisations.services import membership_grant, user_ensure
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


@transaction.atomic
def demo_accounts_create(*, password: str) -> list[DemoAccount]:
    """A reporter for every organisation that reports on a plan, a reviewer at Ban Tổ
    chức, a leader at Thường trực and an administrator."""
    data = demo_data()
    accounts: list[DemoAccount] = []
    reporters: dict[int, Organisation] = {}
    candidates = list(Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL))
    for plan in Plan.objects.all():
        for org_id, tasks in organisations_in_scope(plan, candidates).items():
            if tasks:
                reporters[org_id] = next(o for o in candidates if o.pk == org_id)
    for org in sorted(reporters.values(), key=lambda o: (o.kind, o.code)):
        username = reporter_username(org)
        user, _ = user_ensure(
            username=username,
            password=password,
            full_name=data.reporter_name.format(organisation=org.display_name),
            position=data.reporter_position,
            email=f"{username}@example.invalid",
        )
        membership_grant(user=user, organisation=org, role=Role.REPORTER)
        accounts.append(DemoAccount(user.username, Role.REPORTER.label, org.name))

    for staff in data.staff:
        org = Organisation.objects.get(code=staff.organisation)
        role = Role(staff.role)
        user, _ = user_ensure(
            username=staff.username,
            password=password,
            full_name=staff.full_name,
            position=staff.position,
            email=f"{staff.username}@example.invalid",
        )
        membership_grant(user=user, organisation=org, role=role)
        accounts.append(DemoAccount(staff.username, role.label, org.name))

    admin, created = user_ensure(
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
    preferred = [m for m in candidates if m.organisation.code == demo_data().try_first]
    chosen = (preferred or candidates or [None])[0]
    return chosen.user.username if chosen else None
