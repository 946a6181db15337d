"""Who hears about what: an organisation's reporters, a plan's reviewers, a committee's
reviewers."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db.models import Q

from organisations.models import COMMITTEE_BODY_KINDS, Membership, Role, User
from organisations.tree import province_members

logger = logging.getLogger(__name__)


# Who hears about what -------------------------------------------------------------------


def organisation_reporters(organisation_ids) -> dict[int, list[User]]:
    """The active reporters of each organisation, in one query."""
    result: dict[int, list[User]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(
            role=Role.REPORTER, organisation_id__in=organisation_ids, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    )
    for membership in memberships:
        result[membership.organisation_id].append(membership.user)
    return result


def plan_reviewers(plan) -> list[User]:
    """People with a reviewer role in the plan's own province: exactly those for whom
    can_review(user, plan) holds (administrators without that role are not written to).
    One query, however many organisations and memberships there are."""
    reviewing = province_members(plan.issuer_id, role=Role.REVIEWER)
    return list(
        User.objects.filter(is_active=True, pk__in=reviewing.values("user_id")).order_by("username")
    )


def node_reviewers(lines: dict[int, frozenset[int]]) -> dict[int, list[User]]:
    """The active reviewers acting for each reporting node, keyed as ``lines`` (node id ->
    the node and the committees merged into it): people whose reviewer role is at the
    committee itself or at one of its bodies (Ban Tổ chức acts for the committee above
    it, ``Organisation.served_committee_id``). One query however many nodes; a reviewer
    of a district is nobody else's, so no district hears about another's organisations."""
    committees = {pk for line in lines.values() for pk in line}
    if not committees:
        return {}
    owner = {pk: node for node, line in lines.items() for pk in line}
    memberships = (
        Membership.objects.filter(role=Role.REVIEWER, user__is_active=True)
        .filter(
            Q(organisation_id__in=committees)
            | Q(organisation__parent_id__in=committees, organisation__kind__in=COMMITTEE_BODY_KINDS)
        )
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    result: dict[int, list[User]] = {node: [] for node in lines}
    seen: set[tuple[int, int]] = set()
    for membership in memberships:
        node = owner.get(membership.organisation.served_committee_id)
        if node is None or (node, membership.user_id) in seen:
            continue
        seen.add((node, membership.user_id))
        result[node].append(membership.user)
    return result
