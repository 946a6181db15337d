"""E-mail: rendering the templates and sending, and which errors are worth a retry."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from organisations.models import User

logger = logging.getLogger(__name__)


# Worth another try later: the mail server or the network was unavailable.
TEMPORARY_ERRORS = (smtplib.SMTPException, ConnectionError, OSError)


# E-mail ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def render_email(name: str, context: dict) -> EmailContent:
    """templates/emails/<name>-subject.txt, -body.txt and -body.html, in Vietnamese even in
    a worker, where no request has activated a language."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        return EmailContent(
            subject=" ".join(subject.split())[:255],
            text=render_to_string(f"emails/{name}-body.txt", context),
            html=render_to_string(f"emails/{name}-body.html", context),
        )


def send_email(content: EmailContent, to: list[str]) -> None:
    message = EmailMultiAlternatives(subject=content.subject, body=content.text, to=to)
    if content.html:
        message.attach_alternative(content.html, "text/html")
    message.send()


def describe_error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def addresses(people: list[User]) -> list[str]:
    return sorted({person.email for person in people if person.email})
