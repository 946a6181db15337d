from reports.models import Notification


def notifications(request):
    """The unread count for the bell in the top bar: one COUNT query per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
