"""Expected answers shared by the permission matrix and its per-feature entry files.

A feature adds its URLs in a file `tests/plan112/matrix_<feature>.py` exporting ENTRIES:
{url name: (kwargs from the world, expected GET per persona, expected POST per persona)}.
The world (see test_permission_matrix.world) holds plan, cycle, report (a draft of
Huyện ủy Càng Long), attachment, subplan, and every persona's user under its name.
"""

PERSONAS = [
    "reporter",
    "other_reporter",
    "body_reporter",
    "reviewer",
    "leader",
    "admin_user",
    "outsider",
]

ROLES_200 = dict.fromkeys(PERSONAS[:-1], 200) | {"outsider": 404}
ALL_405 = dict.fromkeys(PERSONAS, 405)
OWN_REPORT = {
    "reporter": 200,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 200,
    "leader": 200,
    "admin_user": 200,
    "outsider": 404,
}
REVIEW_ACTION = {
    "reporter": 403,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 302,
    "leader": 403,
    "admin_user": 302,
    "outsider": 404,
}
REPORTER_ACTION = {
    "reporter": 302,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 403,
    "leader": 403,
    "admin_user": 403,
    "outsider": 404,
}
MANAGE_CYCLE = {
    "reporter": 403,
    "other_reporter": 403,
    "body_reporter": 403,
    "reviewer": 200,
    "leader": 403,
    "admin_user": 200,
    "outsider": 404,
}
