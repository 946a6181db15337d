# Placeholder while this module is written.
from django.http import Http404


def subplan_list(request, **kwargs):
    raise Http404


def subplan_register(request, **kwargs):
    raise Http404


def subplan_download(request, **kwargs):
    raise Http404
