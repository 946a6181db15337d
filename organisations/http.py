"""The request type of the signed-in pages."""

from django.http import HttpRequest

from organisations.models import User


class AuthenticatedRequest(HttpRequest):
    """A request past LoginRequiredMiddleware: its user is a real account, never
    AnonymousUser. Views that are not marked login_not_required take this type."""

    user: User
