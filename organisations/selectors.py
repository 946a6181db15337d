"""Reads that depend on who is asking. Views use these, never Model.objects directly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db.models import Prefetch, QuerySet

from .models import Membership, Organisation, OrganisationName, Role
from .ordering import sort_key


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


@dataclass
class TreeNode:
    """One organisation of the tree page and the nodes under it, in the usual order."""

    organisation: Organisation
    children: list[TreeNode] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many organisations lie under it (all levels), for the folded summary."""
        return sum(1 + child.size for child in self.children)


def organisation_tree(user) -> list[TreeNode]:
    """Every visible organisation nested under its parent, siblings in the usual order
    (organisations.ordering); one query. An organisation whose parent is not visible
    starts a tree of its own."""
    organisations = sorted(organisations_visible_to(user), key=sort_key)
    nodes = {org.pk: TreeNode(org) for org in organisations}
    roots: list[TreeNode] = []
    for org in organisations:
        parent = nodes.get(org.parent_id) if org.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[org.pk])
    return roots


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
