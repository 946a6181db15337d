"""Who hears about what: an organisation's reporters, a plan's reviewers."""

from __future__ import annotations

import logging
from collections import defaultdict

from organisations.models import Membership, Role, User
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
