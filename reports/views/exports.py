# Placeholder while this module is written.
from django.http import Http404


def report_print(request, **kwargs):
    raise Http404


def report_docx(request, **kwargs):
    raise Http404
