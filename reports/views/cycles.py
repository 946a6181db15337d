# Placeholder while this module is written.
from django.http import Http404


def cycle_list(request, **kwargs):
    raise Http404


def cycle_create(request, **kwargs):
    raise Http404


def cycle_detail(request, **kwargs):
    raise Http404


def cycle_edit(request, **kwargs):
    raise Http404


def cycle_close(request, **kwargs):
    raise Http404
