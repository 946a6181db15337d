from .selectors import is_leader, is_reviewer, memberships_of


def memberships(request):
    """What the top bar needs to show the right links; one query per request at most."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from tasks.selectors import plans_visible_to

    i_review, i_lead = is_reviewer(user), is_leader(user)
    return {
        "my_memberships": memberships_of(user),
        "i_review": i_review,
        "i_lead": i_lead,
        # Plans for the "Tổng hợp" menu, read only for those who see rollups.
        "nav_plans": list(plans_visible_to(user).select_related(None).only("code", "number"))
        if i_review or i_lead
        else [],
    }
