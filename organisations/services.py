"""Writes to organisations, people and their roles."""

from django.db import transaction

from .models import Membership, Organisation, User


@transaction.atomic
def user_ensure(
    *, username: str, password: str, full_name: str, position: str = "", email: str = ""
) -> tuple[User, bool]:
    """Create the account if it does not exist; an existing one keeps its password."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"last_name": full_name, "position": position, "email": email},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created


def membership_grant(*, user: User, organisation: Organisation, role: str) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    return membership
