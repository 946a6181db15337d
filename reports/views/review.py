# Placeholder while this module is written.
from django.http import Http404


def inbox(request, **kwargs):
    raise Http404


def report_return(request, **kwargs):
    raise Http404


def report_accept(request, **kwargs):
    raise Http404


def report_reopen(request, **kwargs):
    raise Http404
