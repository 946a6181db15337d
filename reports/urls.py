from django.urls import path

from reports.views import (
    contributions,
    cycles,
    dashboard,
    drafts,
    export_jobs,
    exports,
    files,
    notifications,
    review,
    rollup,
    subplans,
    summary,
)
from reports.views import reports as report_views

app_name = "reports"

urlpatterns = [
    # Cycles
    path("ky-bao-cao/", cycles.cycle_list, name="cycle_list"),
    path("ky-bao-cao/mo-moi/", cycles.cycle_create, name="cycle_create"),
    path("ky-bao-cao/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("ky-bao-cao/<int:pk>/sua/", cycles.cycle_edit, name="cycle_edit"),
    path("ky-bao-cao/<int:pk>/dong/", cycles.cycle_close_view, name="cycle_close"),
    path(
        "ky-bao-cao/<int:pk>/don-vi/<str:code>/",
        report_views.report_start,
        name="report_start",
    ),
    # Reports
    path("bao-cao/", review.inbox, name="inbox"),
    path("bao-cao/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/soan/", report_views.report_edit, name="report_edit"),
    path("bao-cao/<int:pk>/tra-lai/", review.report_return, name="report_return"),
    path("bao-cao/<int:pk>/tiep-nhan/", review.report_accept, name="report_accept"),
    path("bao-cao/<int:pk>/mo-lai/", review.report_reopen, name="report_reopen"),
    path("bao-cao/<int:pk>/ban-in/", exports.report_print, name="report_print"),
    path("bao-cao/<int:pk>/word/", exports.report_docx, name="report_docx"),
    # Attachments
    path("bao-cao/<int:pk>/tep/", files.attachment_upload, name="attachment_upload"),
    path(
        "bao-cao/<int:pk>/tep/<int:attachment_pk>/",
        files.attachment_download,
        name="attachment_download",
    ),
    path(
        "bao-cao/<int:pk>/tep/<int:attachment_pk>/go/",
        files.attachment_remove_view,
        name="attachment_remove",
    ),
    # Sub-plans (section III.1: each organisation's own implementation plan)
    path("ke-hoach-thuc-hien/", subplans.subplan_list, name="subplan_list"),
    path(
        "ke-hoach-thuc-hien/<slug:plan_code>/dang-ky/",
        subplans.subplan_register,
        name="subplan_register",
    ),
    path("ke-hoach-thuc-hien/tep/<int:pk>/", subplans.subplan_download, name="subplan_download"),
    # Dashboard for Ban Tổ chức (one cycle) and the provincial rollup for leaders
    path("ky-bao-cao/<int:pk>/theo-doi/", dashboard.dashboard, name="dashboard"),
    path(
        "ky-bao-cao/<int:pk>/theo-doi/<slug:panel>/",
        dashboard.dashboard_panel,
        name="dashboard_panel",
    ),
    path(
        "ky-bao-cao/<int:pk>/theo-doi.<str:fmt>",
        dashboard.dashboard_export,
        name="dashboard_export",
    ),
    path("tong-hop/<slug:plan_code>/", rollup.rollup, name="rollup"),
    path("tong-hop/<slug:plan_code>/bang.<str:fmt>", rollup.rollup_export, name="rollup_export"),
    # Their files too large to write while the page waits, written by a job
    path("xuat-tep/<int:pk>/", export_jobs.export_job_detail, name="export_job_detail"),
    path("xuat-tep/<int:pk>/tien-do/", export_jobs.export_job_status, name="export_job_status"),
    path("xuat-tep/<int:pk>/tai-ve/", export_jobs.export_job_download, name="export_job_download"),
    # Notifications and reminders
    path("thong-bao/", notifications.notification_list, name="notifications"),
    path("thong-bao/<int:pk>/da-doc/", notifications.notification_read, name="notification_read"),
    path(
        "thong-bao/da-doc-het/", notifications.notifications_read_all, name="notifications_read_all"
    ),
    path(
        "ky-bao-cao/<int:pk>/don-vi/<str:code>/nhac-han/",
        notifications.reminder_send,
        name="reminder_send",
    ),
    path(
        "ky-bao-cao/<int:pk>/nhac-han-don-vi-cham/",
        notifications.reminders_send_late_view,
        name="reminders_send_late",
    ),
    # Contributions to the provincial report (plan data "contributors")
    path("dong-gop/", contributions.contribution_mine, name="contribution_mine"),
    path(
        "ky-bao-cao/<int:pk>/dong-gop/", contributions.contribution_list, name="contribution_list"
    ),
    path(
        "ky-bao-cao/<int:pk>/dong-gop/<str:code>/",
        contributions.contribution_detail,
        name="contribution_detail",
    ),
    path(
        "ky-bao-cao/<int:pk>/dong-gop/<str:code>/soan/",
        contributions.contribution_edit,
        name="contribution_edit",
    ),
    # The yearly summary
    path("ky-bao-cao/<int:pk>/tong-ket/", summary.summary_detail, name="summary_detail"),
    path("ky-bao-cao/<int:pk>/tong-ket/lap/", summary.summary_start, name="summary_start"),
    path("ky-bao-cao/<int:pk>/tong-ket/tien-do/", summary.summary_status, name="summary_status"),
    # Its draft, edited in the browser
    path("ky-bao-cao/<int:pk>/tong-ket/du-thao/", drafts.draft_detail, name="draft_detail"),
    path(
        "ky-bao-cao/<int:pk>/tong-ket/du-thao/cap-nhat-so-lieu/",
        drafts.draft_regenerate_view,
        name="draft_regenerate",
    ),
    path(
        "ky-bao-cao/<int:pk>/tong-ket/du-thao/phan/<int:part_pk>/",
        drafts.draft_part_save_view,
        name="draft_part_save",
    ),
    path(
        "ky-bao-cao/<int:pk>/tong-ket/du-thao/phan/<int:part_pk>/ban-moi/",
        drafts.draft_part_resolve_view,
        name="draft_part_resolve",
    ),
    path(
        "ky-bao-cao/<int:pk>/tong-ket/du-thao/phan/<int:part_pk>/khoi-phuc/<int:number>/",
        drafts.draft_part_restore_view,
        name="draft_part_restore",
    ),
    path(
        "ky-bao-cao/<int:pk>/tong-ket/tep/<str:kind>/",
        summary.summary_download,
        name="summary_download",
    ),
]
