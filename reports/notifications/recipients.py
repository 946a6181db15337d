"""Who hears about what: an organisation's reporters, a plan's reviewers."""

from __future__ import annotations

import logging
from collections import defaultdict

from organisations.models import Membership, Role, User
from reports.selectors import top_of

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
    can_review(user, plan) holds (administrators without that role are not written to)."""
    cache: dict[int, int] = {}
    top = top_of(plan.issuer, cache)
    memberships = (
        Membership.objects.filter(role=Role.REVIEWER, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    reviewers: dict[int, User] = {}
    for membership in memberships:
        if membership.user_id in reviewers:
            continue
        if top_of(membership.organisation, cache) == top:
            reviewers[membership.user_id] = membership.user
    return list(reviewers.values())
