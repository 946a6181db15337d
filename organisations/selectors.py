"""Reads that depend on who is asking. Views use these, never Model.objects directly."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Membership, Organisation, Role


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
