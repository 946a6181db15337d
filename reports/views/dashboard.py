"""Placeholder while this module is written."""

from django.http import Http404


def dashboard(request, **kwargs):
    raise Http404


def dashboard_export(request, **kwargs):
    raise Http404
