"""Placeholder while this module is written."""

from django.http import Http404


def notification_list(request, **kwargs):
    raise Http404


def notification_read(request, **kwargs):
    raise Http404


def notifications_read_all(request, **kwargs):
    raise Http404


def reminder_send(request, **kwargs):
    raise Http404
