"""A report to print or to take away as a Word file.

Whoever may see a report may print it or download it: the organisation's reporters,
the reviewers and the leaders. Others get 404, as on the report itself.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisations.http import AuthenticatedRequest
from reports.access import get_report_for_user
from reports.documents.report import (
    DOCX_CONTENT_TYPE,
    content_disposition,
    docx_filenames,
    report_document,
    report_docx_bytes,
)
from reports.selectors import report_with_content


@require_GET
@never_cache
def report_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = report_with_content(get_report_for_user(request.user, pk))
    return render(
        request,
        "reports/report_print.html",
        {"report": report, "doc": report_document(report)},
    )


@require_GET
@never_cache
def report_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = report_with_content(get_report_for_user(request.user, pk))
    response = HttpResponse(report_docx_bytes(report), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(*docx_filenames(report))
    return response
