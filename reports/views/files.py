# Placeholder while this module is written.
from django.http import Http404


def attachment_upload(request, **kwargs):
    raise Http404


def attachment_download(request, **kwargs):
    raise Http404


def attachment_remove(request, **kwargs):
    raise Http404
