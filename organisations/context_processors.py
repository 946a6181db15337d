from .selectors import is_leader, is_reviewer, memberships_of


def memberships(request):
    """What the top bar needs to show the right links; one query per request at most."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": memberships_of(user),
        "i_review": is_reviewer(user),
        "i_lead": is_leader(user),
    }
