"""The notification centre: in-app notifications."""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.utils import timezone

from organisations.models import User
from reports.models import (
    Notification,
)

logger = logging.getLogger(__name__)


def notifications_create(people: list[User], *, title: str, body: str = "", url: str = "") -> None:
    Notification.objects.bulk_create(
        Notification(user=person, title=title[:255], body=body, url=url[:500]) for person in people
    )


# The notification centre ----------------------------------------------------------------


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_mark_read(*, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
