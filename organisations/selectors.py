"""Reads that depend on who is asking. Views use these, never Model.objects directly."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.db.models import Prefetch, QuerySet

from .models import Membership, Organisation, OrganisationName, Role


def memberships_of(user) -> list[Membership]:
    """The user's memberships, read once per request and cached on the user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        user._memberships_cache = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}


def organisations_with_role(user, role: str) -> list[Organisation]:
    return [m.organisation for m in memberships_of(user) if m.role == role]


def is_reviewer(user) -> bool:
    return user.is_superuser or Role.REVIEWER in roles_of(user)


def is_leader(user) -> bool:
    return user.is_superuser or Role.LEADER in roles_of(user)


def has_any_role(user) -> bool:
    """Signed-in people with no membership (and not administrators) see nothing."""
    return user.is_authenticated and (user.is_superuser or bool(memberships_of(user)))


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """The organisation tree is public inside the system for anyone with a role."""
    if not has_any_role(user):
        return Organisation.objects.none()
    return Organisation.objects.select_related("parent", "successor")


def organisation_tree(user) -> list[tuple[Organisation, int]]:
    """Every visible organisation with its depth, parents before children, in one query."""
    organisations = list(organisations_visible_to(user).order_by("code"))
    children: dict[int | None, list[Organisation]] = {}
    for org in organisations:
        children.setdefault(org.parent_id, []).append(org)
    known = {org.pk for org in organisations}
    roots = [org for org in organisations if org.parent_id is None or org.parent_id not in known]
    result: list[tuple[Organisation, int]] = []

    def walk(org: Organisation, depth: int) -> None:
        result.append((org, depth))
        for child in children.get(org.pk, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return result


def members_prefetch() -> Prefetch:
    return Prefetch("memberships", queryset=Membership.objects.select_related("user"))


class NameOn(NamedTuple):
    name: str
    short_name: str

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


def organisation_names_on(organisations: Iterable[Organisation], day: date) -> dict[int, NameOn]:
    """The names the organisations bore on a day, by pk: one query for those renamed
    after it, none when no organisation in the list was."""
    organisations = list(organisations)
    result = {org.pk: NameOn(org.name, org.short_name) for org in organisations}
    renamed = [org.pk for org in organisations if org.name_since and org.name_since > day]
    if not renamed:
        return result
    # The former name in force on the day is the one whose end comes first after it.
    seen: set[int] = set()
    for former in OrganisationName.objects.filter(
        organisation_id__in=renamed, valid_to__gte=day
    ).order_by("organisation_id", "valid_to"):
        if former.organisation_id not in seen:
            seen.add(former.organisation_id)
            result[former.organisation_id] = NameOn(former.name, former.short_name)
    return result


def changes_of(organisation: Organisation):
    """The restructuring steps an organisation took part in, newest first, with the
    organisations of each (two queries)."""
    from .models import OrganisationChange, OrganisationChangeLink

    return OrganisationChange.objects.filter(links__organisation=organisation).prefetch_related(
        Prefetch(
            "links",
            queryset=OrganisationChangeLink.objects.select_related("organisation").order_by(
                "role", "organisation__code"
            ),
        )
    )
