"""The notification centre (everyone signed in, each their own) and "send a reminder now"
(reviewers of the plan)."""

from reports.models import Notification
from tests.plan112.matrix_common import ALL_405, PERSONAS, REVIEW_ACTION, as_post

# "Remind every late unit" at the user's own level: each reviewer reminds the level they
# review (a district's reviewer its own units); leaders read it (403); reporters see the
# cycle (403).
REMIND_LEVEL = {
    "reporter": 403,
    "other_reporter": 403,
    "body_reporter": 403,
    "reviewer": 200,
    "leader": 403,
    "admin_user": 200,
    "outsider": 404,
    "district_reviewer": 200,
    "other_district_reviewer": 200,
    "grassroots_reporter": 403,
}


def reporters_notification(w) -> dict:
    notification = Notification.objects.create(
        user=w["reporter"], title="Báo cáo bị trả lại", url=w["report"].get_absolute_url()
    )
    return {"pk": notification.pk}


ENTRIES = {
    "reports:notifications": (lambda w: {}, dict.fromkeys(PERSONAS, 200), ALL_405),
    "reports:notification_read": (
        reporters_notification,
        ALL_405,
        dict.fromkeys(PERSONAS, 404) | {"reporter": 302},
    ),
    "reports:notifications_read_all": (lambda w: {}, ALL_405, dict.fromkeys(PERSONAS, 302)),
    "reports:reminder_send": (
        lambda w: {"pk": w["cycle"].pk, "code": "TV-HCL"},
        ALL_405,
        # Reporters see the cycle, so they are refused, not lost; Càng Long's own
        # reviewer sees TV-HCL but the province reminds it; Cầu Kè's does not see it.
        REVIEW_ACTION
        | {
            "other_reporter": 403,
            "body_reporter": 403,
            "grassroots_reporter": 403,
            "district_reviewer": 403,
            "other_district_reviewer": 404,
        },
    ),
    "reports:reminders_send_late": (
        lambda w: {"pk": w["cycle"].pk},
        REMIND_LEVEL,
        as_post(REMIND_LEVEL),
    ),
}
