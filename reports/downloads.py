"""Serving a stored file (an attachment, a sub-plan, a yearly summary) to the one person
who asked for it.

Whoever may download was decided by `reports.access`; this only answers with the file.
The files hold internal Party documents, so no cache along the way (a shared proxy, the
browser's disk cache) may keep a copy, and the browser must take the declared type as is.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

NO_STORE = "no-store, private"


def file_download(stored: FieldFile | None, *, filename: str, content_type: str) -> FileResponse:
    """The stored file as an attachment named ``filename``; 404 when there is none, or
    when it is gone from the disk (a removed copy must not turn into a 500)."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except OSError as exc:  # FileNotFoundError included
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    return response
