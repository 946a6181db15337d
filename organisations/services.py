"""Writes to organisations, people and their roles."""

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from django.db import transaction

from .change_plans import ChangePlan, Decision, NewOrganisation
from .models import ChangeKind, MembersAction, Membership, Organisation, User
from .restructuring import Restructuring


@transaction.atomic
def user_ensure(
    *, username: str, password: str, full_name: str, position: str = "", email: str = ""
) -> tuple[User, bool]:
    """Create the account if it does not exist; an existing one keeps its password."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"last_name": full_name, "position": position, "email": email},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created


def membership_grant(*, user: User, organisation: Organisation, role: str) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    return membership


# Restructuring ------------------------------------------------------------------------
# Each service checks the change against the organisations as they stand (locked), then
# closes, creates, renames or moves them, moves or ends memberships, and records one
# OrganisationChange; a RestructuringError leaves everything as it was.


def _codes(*groups: Iterable[Organisation | NewOrganisation | str | None]) -> list[str]:
    codes = []
    for group in groups:
        for item in group:
            if isinstance(item, Organisation | NewOrganisation):
                codes.append(item.code)
                if isinstance(item, NewOrganisation) and item.parent:
                    codes.append(item.parent)
            elif item:
                codes.append(item)
    return codes


def _as_code(item: Organisation | NewOrganisation) -> str | NewOrganisation:
    return item.code if isinstance(item, Organisation) else item


def _run(kind: str, codes: list[str], *, apply: bool, actor: User | None, **arguments):
    work = Restructuring.load(codes, lock=apply)
    plan = getattr(work, kind)(**arguments)
    if not apply:
        return plan
    return work.flush(actor=actor)[0]


def organisation_change_preview(*, kind: str, **arguments) -> ChangePlan:
    """What ``organisation_<kind>`` would do with these arguments (who moves, which
    organisations close), without changing anything. For the admin's confirmation page."""
    services: dict[ChangeKind, Callable[..., ChangePlan]] = {
        ChangeKind.MERGE: organisation_merge,
        ChangeKind.SPLIT: organisation_split,
        ChangeKind.RENAME: organisation_rename,
        ChangeKind.MOVE: organisation_move,
        ChangeKind.CLOSE: organisation_close,
    }
    with transaction.atomic():
        return services[ChangeKind(kind)](**arguments, preview=True)


@transaction.atomic
def organisation_merge(
    *,
    sources: Sequence[Organisation],
    target: Organisation | NewOrganisation,
    effective_on: date,
    decision: Decision,
    note: str = "",
    members: str = MembersAction.MOVE,
    actor: User | None = None,
    key: str | None = None,
    preview: bool = False,
):
    """Merge ``sources`` into ``target`` (existing, or created from effective_on): each
    source ends the day before, names the target as successor, and hands it its active
    children and its people's roles (``members`` move, or end)."""
    return _run(
        "merge",
        _codes(sources, [target]),
        apply=not preview,
        actor=actor,
        sources=[s.code for s in sources],
        target=_as_code(target),
        effective=effective_on,
        decision=decision,
        note=note,
        key=key,
        members=members,
    )


@transaction.atomic
def organisation_split(
    *,
    source: Organisation,
    targets: Sequence[Organisation | NewOrganisation],
    heir: str,
    effective_on: date,
    decision: Decision,
    note: str = "",
    members: str = MembersAction.MOVE,
    actor: User | None = None,
    key: str | None = None,
    preview: bool = False,
):
    """Split ``source`` into ``targets``; the target coded ``heir`` carries its history
    (successor), its active children and its people's roles."""
    return _run(
        "split",
        _codes([source], targets),
        apply=not preview,
        actor=actor,
        source=source.code,
        targets=[_as_code(t) for t in targets],
        heir=heir,
        effective=effective_on,
        decision=decision,
        note=note,
        key=key,
        members=members,
    )


@transaction.atomic
def organisation_rename(
    *,
    organisation: Organisation,
    name: str,
    short_name: str | None = None,
    effective_on: date,
    decision: Decision,
    note: str = "",
    actor: User | None = None,
    key: str | None = None,
    preview: bool = False,
):
    """Give ``organisation`` a new name from effective_on; the old one is kept for the
    days before (``name_on``). ``short_name`` None keeps the current short name."""
    return _run(
        "rename",
        [organisation.code],
        apply=not preview,
        actor=actor,
        organisation=organisation.code,
        name=name,
        short_name=short_name,
        effective=effective_on,
        decision=decision,
        note=note,
        key=key,
    )


@transaction.atomic
def organisation_move(
    *,
    organisation: Organisation,
    parent: Organisation,
    effective_on: date,
    decision: Decision,
    note: str = "",
    actor: User | None = None,
    key: str | None = None,
    preview: bool = False,
):
    """Put ``organisation`` under ``parent``, which must not be inside its own subtree."""
    return _run(
        "move",
        [organisation.code, parent.code],
        apply=not preview,
        actor=actor,
        organisation=organisation.code,
        parent=parent.code,
        effective=effective_on,
        decision=decision,
        note=note,
        key=key,
    )


@transaction.atomic
def organisation_close(
    *,
    organisation: Organisation,
    successor: Organisation | None = None,
    effective_on: date,
    decision: Decision,
    note: str = "",
    members: str = MembersAction.MOVE,
    actor: User | None = None,
    key: str | None = None,
    preview: bool = False,
):
    """End ``organisation`` the day before effective_on. With a successor, its active
    children and people's roles go there; without one, roles end and active children
    must have been moved or closed first."""
    return _run(
        "close",
        _codes([organisation], [successor]),
        apply=not preview,
        actor=actor,
        organisation=organisation.code,
        successor=successor.code if successor else None,
        effective=effective_on,
        decision=decision,
        note=note,
        key=key,
        members=members,
    )
