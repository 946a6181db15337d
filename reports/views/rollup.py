"""Placeholder while this module is written."""

from django.http import Http404


def rollup(request, **kwargs):
    raise Http404


def rollup_export(request, **kwargs):
    raise Http404
