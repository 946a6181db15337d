"""Contributions to the provincial report in the permission matrix. Ban Tuyên giáo
(``body_reporter``'s body) contributes under the plan's data; Ban Tổ chức of the top
committee reads every contribution; nobody else learns one exists."""

from tests.plan112.matrix_common import ALL_405, MANAGE_CYCLE, PERSONAS, ROLES_200

CONTRIBUTOR = "TV-BTG"

# Its members read it; the plan's top reviewers (and administrators) read every one.
READ = dict.fromkeys(PERSONAS, 404) | {"body_reporter": 200, "reviewer": 200, "admin_user": 200}
# Only its members write it; readers get 403. An empty POST is an invalid form (400).
WRITE_GET = READ | {"reviewer": 403, "admin_user": 403}
WRITE_POST = WRITE_GET | {"body_reporter": 400}


def _body(w) -> dict:
    return {"pk": w["cycle"].pk, "code": CONTRIBUTOR}


ENTRIES = {
    # Everyone with a role may open the page of their own contributions (it may be empty).
    "reports:contribution_mine": (lambda w: {}, ROLES_200, ALL_405),
    "reports:contribution_list": (lambda w: {"pk": w["cycle"].pk}, MANAGE_CYCLE, ALL_405),
    "reports:contribution_detail": (_body, READ, ALL_405),
    "reports:contribution_edit": (_body, WRITE_GET, WRITE_POST),
}
