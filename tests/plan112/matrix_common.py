"""Expected answers shared by the permission matrix and its per-feature entry files.

A feature adds its URLs in a file `tests/plan112/matrix_<feature>.py` exporting ENTRIES:
{url name: (kwargs from the world, expected GET per persona, expected POST per persona)}.
The world (see test_permission_matrix.world) holds plan, cycle, report (a draft of
Huyện ủy Càng Long, addressed to the province), attachment, subplan, and every persona's
user under its name.

The cascade's personas: ``district_reviewer`` reviews for Huyện ủy Càng Long (TV-HCL):
it reads TV-HCL's subtree, its own committee's report included, but reviews only the
reports addressed to TV-HCL; ``other_district_reviewer`` does the same for Cầu Kè, so
nothing of Càng Long is in its reach (404); ``grassroots_reporter`` writes for Đảng ủy
xã An Trường under TV-HCL and sees nothing of the district's own report.
"""

PERSONAS = [
    "reporter",
    "other_reporter",
    "body_reporter",
    "reviewer",
    "leader",
    "admin_user",
    "outsider",
    "district_reviewer",
    "other_district_reviewer",
    "grassroots_reporter",
]

ROLES_200 = dict.fromkeys(PERSONAS, 200) | {"outsider": 404}
ALL_405 = dict.fromkeys(PERSONAS, 405)
# The district's own report (addressed to the province).
OWN_REPORT = {
    "reporter": 200,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 200,
    "leader": 200,
    "admin_user": 200,
    "outsider": 404,
    "district_reviewer": 200,  # its own committee's report lies in its subtree
    "other_district_reviewer": 404,
    "grassroots_reporter": 404,
}
REVIEW_ACTION = {
    "reporter": 403,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 302,
    "leader": 403,
    "admin_user": 302,
    "outsider": 404,
    "district_reviewer": 403,  # reads it, but the province reviews it
    "other_district_reviewer": 404,
    "grassroots_reporter": 404,
}
REPORTER_ACTION = {
    "reporter": 302,
    "other_reporter": 404,
    "body_reporter": 404,
    "reviewer": 403,
    "leader": 403,
    "admin_user": 403,
    "outsider": 404,
    "district_reviewer": 403,
    "other_district_reviewer": 404,
    "grassroots_reporter": 404,
}
MANAGE_CYCLE = {
    "reporter": 403,
    "other_reporter": 403,
    "body_reporter": 403,
    "reviewer": 200,
    "leader": 403,
    "admin_user": 200,
    "outsider": 404,
    # Only the plan's top committee runs cycles; the districts see the plan.
    "district_reviewer": 403,
    "other_district_reviewer": 403,
    "grassroots_reporter": 403,
}
# Dashboards, rollups and the inbox: every committee's overseers at their own level;
# reporters, who can see the cycle and the plan, are refused; no role, 404.
OVERSEERS_ONLY = {
    "reporter": 403,
    "other_reporter": 403,
    "body_reporter": 403,
    "reviewer": 200,
    "leader": 200,
    "admin_user": 200,
    "outsider": 404,
    "district_reviewer": 200,
    "other_district_reviewer": 200,
    "grassroots_reporter": 403,
}
# The yearly summary is the province's: everyone below its top committee who sees the
# cycle is refused.
PROVINCE_READERS = OVERSEERS_ONLY | {"district_reviewer": 403, "other_district_reviewer": 403}


def as_post(expected: dict[str, int]) -> dict[str, int]:
    """A page's GET answers for its POST action: the 200 of a form becomes the redirect
    after acting."""
    return {persona: (302 if status == 200 else status) for persona, status in expected.items()}
