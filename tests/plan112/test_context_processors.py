"""What every page's top bar is given, and the apps it may read from."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ORGANISATIONS = Path(settings.BASE_DIR) / "organisations"


@pytest.mark.parametrize("persona", ["reviewer", "leader", "admin_user"])
def test_people_who_see_rollups_get_the_plans_menu(request, client_for, plan, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"))
    assert [p.code for p in response.context["nav_plans"]] == [plan.code]
    assert reverse("reports:rollup", args=[plan.code]) in response.content.decode()


@pytest.mark.parametrize("persona", ["reporter", "outsider"])
def test_people_who_do_not_see_rollups_get_no_plans_menu(request, client_for, plan, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"))
    assert response.context["nav_plans"] == []
    assert reverse("reports:rollup", args=[plan.code]) not in response.content.decode()


def test_the_top_bar_still_knows_the_roles(client_for, reviewer, leader):
    response = client_for(reviewer).get(reverse("home"))
    assert response.context["i_review"] is True
    assert response.context["i_lead"] is False
    assert [m.role for m in response.context["my_memberships"]] == ["reviewer"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_organisations_imports_neither_tasks_nor_reports():
    """reports → tasks → organisations, never back: not even inside a function."""
    offending = {
        f"{path.relative_to(ORGANISATIONS)}: {name}"
        for path in ORGANISATIONS.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in {"tasks", "reports"}
    }
    assert offending == set()
