"""Demo data for the embedded default: accounts for every role, made through the same
services the pages use. Never run in production (the command refuses)."""

from dataclasses import dataclass

from django.db import transaction

from organisations.models import Organisation, OrganisationKind, Role
from organisations.services import membership_grant, user_ensure
from tasks.models import Plan
from tasks.selectors import organisations_in_scope


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str


REVIEWER_ORG = "TV-BTC"
LEADER_ORG = "TV-TT"


def _username(organisation: Organisation) -> str:
    return "bc-" + organisation.code.split("-", 1)[-1].lower()


@transaction.atomic
def demo_accounts_create(*, password: str) -> list[DemoAccount]:
    """A reporter for every organisation that reports on a plan, a reviewer at Ban Tổ
    chức, a leader at Thường trực and an administrator."""
    accounts: list[DemoAccount] = []
    reporters: dict[int, Organisation] = {}
    candidates = list(Organisation.objects.exclude(kind=OrganisationKind.EXTERNAL))
    for plan in Plan.objects.all():
        for org_id, tasks in organisations_in_scope(plan, candidates).items():
            if tasks:
                reporters[org_id] = next(o for o in candidates if o.pk == org_id)
    for org in sorted(reporters.values(), key=lambda o: (o.kind, o.code)):
        user, _ = user_ensure(
            username=_username(org),
            password=password,
            full_name=f"Chuyên viên {org.display_name}",
            position="Chuyên viên",
            email=f"{_username(org)}@example.invalid",
        )
        membership_grant(user=user, organisation=org, role=Role.REPORTER)
        accounts.append(DemoAccount(user.username, Role.REPORTER.label, org.name))

    for username, name, position, code, role in (
        ("bantochuc", "Nguyễn Văn Thẩm", "Chuyên viên Ban Tổ chức", REVIEWER_ORG, Role.REVIEWER),
        ("thuongtruc", "Trần Thị Lãnh", "Phó Bí thư Thường trực", LEADER_ORG, Role.LEADER),
    ):
        org = Organisation.objects.get(code=code)
        user, _ = user_ensure(
            username=username,
            password=password,
            full_name=name,
            position=position,
            email=f"{username}@example.invalid",
        )
        membership_grant(user=user, organisation=org, role=role)
        accounts.append(DemoAccount(username, role.label, org.name))

    admin, created = user_ensure(
        username="admin", password=password, full_name="Quản trị hệ thống", position="Quản trị"
    )
    if created or not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    accounts.append(DemoAccount("admin", "Quản trị hệ thống", "—"))
    return accounts
