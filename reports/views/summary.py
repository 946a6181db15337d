"""Placeholder while this module is written."""

from django.http import Http404


def summary_detail(request, **kwargs):
    raise Http404


def summary_start(request, **kwargs):
    raise Http404


def summary_status(request, **kwargs):
    raise Http404


def summary_download(request, **kwargs):
    raise Http404
