from organisations.selectors import is_leader, is_reviewer
from tasks.selectors import plans_visible_to


def rollup_menu(request):
    """Plans for the top bar's "Tổng hợp" menu, read only for those who see rollups.

    Here rather than beside the memberships: organisations sits below tasks and must not
    import it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (is_reviewer(user) or is_leader(user)):
        return {"nav_plans": []}
    return {"nav_plans": list(plans_visible_to(user).select_related(None).only("code", "number"))}
