# Placeholder while this module is written.
from django.http import Http404


def report_start(request, **kwargs):
    raise Http404


def report_detail(request, **kwargs):
    raise Http404


def report_edit(request, **kwargs):
    raise Http404
