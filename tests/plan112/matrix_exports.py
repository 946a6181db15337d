"""The pages of the jobs that write a dashboard's or a rollup's file: only the person who
asked (here the province's reviewer) and administrators see the job and its file;
everyone else, whatever their role, gets 404. GET only."""

from django.core.files.base import ContentFile

from reports.models import ExportJob, ExportKind, ExportStatus
from tests.plan112.matrix_common import ALL_405, PERSONAS

ASKER_ONLY = dict.fromkeys(PERSONAS, 404) | {"reviewer": 200, "admin_user": 200}


def _done_job(w) -> dict:
    """The reviewer's finished export of the cycle's dashboard, with its file."""
    job = ExportJob.objects.filter(requested_by=w["reviewer"]).first()
    if job is None:
        job = ExportJob.objects.create(
            requested_by=w["reviewer"],
            kind=ExportKind.DASHBOARD,
            fmt="csv",
            cycle=w["cycle"],
            query="don_vi=TV-TU",
            status=ExportStatus.DONE,
            progress=100,
            rows_done=14,
            rows_total=14,
            file_name="Theo dõi báo cáo.csv",
        )
        job.file.save("theo-doi.csv", ContentFile(b"\xef\xbb\xbfSTT\r\n"), save=True)
    return {"pk": job.pk}


ENTRIES = {
    "reports:export_job_detail": (_done_job, ASKER_ONLY, ALL_405),
    "reports:export_job_status": (_done_job, ASKER_ONLY, ALL_405),
    "reports:export_job_download": (_done_job, ASKER_ONLY, ALL_405),
}
