from django.conf import settings

from organisations.selectors import is_leader, is_reviewer
from tasks.selectors import plans_visible_to


def security(request):
    """What the sign-in lockout page says about how long the lock lasts."""
    return {"cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60)}


def navigation(request):
    """The plans of the "Tổng hợp" menu, read only for those who see rollups. It lives
    here rather than in organisations/ because it reads plans, and organisations/ must
    not depend on the apps built on it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (is_reviewer(user) or is_leader(user)):
        return {"nav_plans": []}
    return {"nav_plans": list(plans_visible_to(user).select_related(None).only("code", "number"))}
