"""Who may call the API: the same people, with the same answers, as the pages."""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from organisations.selectors import has_any_role


class HasAnyRole(BasePermission):
    """Signed-in people with no role get 404, as on the pages: the API does not even
    confirm that a cycle exists to someone who may see none."""

    def has_permission(self, request, view) -> bool:
        if not has_any_role(request.user):
            raise NotFound
        return True
