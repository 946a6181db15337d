"""An organisation's years through its lineage, in the API: for everyone with a role (each
sees only the reports it may read; tests/reports/test_api_history.py)."""

from tests.plan112.matrix_common import ALL_405, ROLES_200

ENTRIES = {
    "api:organisation-history": (lambda w: {"code": "TV-HCL"}, ROLES_200, ALL_405),
}
