from django.conf import settings


def security(request):
    """What the sign-in lockout page says about how long the lock lasts."""
    return {"cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60)}
