"""Shared fixtures: the loaded plan and organisations, and one person per persona."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models.signals import post_migrate

from organisations.models import Membership, Organisation, OrganisationKind, Role, User
from tasks.models import Plan

DATA = Path(settings.BASE_DIR) / "data"
PLAN_FILE = DATA / "plans" / "112-KH-TU.yaml"
ORGANISATIONS_FILE = DATA / "organisations" / "tra-vinh.yaml"
PASSWORD = "mat-khau-kiem-thu-2026"

IN_CI = os.environ.get("CI", "").lower() == "true"


def redis_url() -> str:
    """The Redis database this test process may use. Parallel test processes (xdist
    workers gw0, gw1, …) each get their own database, so their Celery workers never take
    each other's jobs."""
    base = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw") or 0) if worker.startswith("gw") else 0
    prefix, _, db = base.rpartition("/")
    return f"{prefix}/{int(db) - index}"


def redis_up(url: str | None = None) -> bool:
    import socket

    address = (url or redis_url()).split("//", 1)[1].split("/")[0]
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def needs(available: bool, reason: str) -> None:
    """Skip when a server the test needs is missing; under CI that is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true, nhưng thiếu: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """The slow tests first: started last, one of them alone on a worker would be the
    whole suite's tail. A stable sort, the same in every xdist worker."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs about a third of a second per account; tests make many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PLAN_CODE = "112-KH-TU"

# Each test process (xdist worker) writes under a var folder of its own: two workers'
# databases number their rows alike, and a summary's scratch folder is named after its id.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    settings.VAR_DIR = Path(settings.VAR_DIR) / worker


def load_plan_and_organisations() -> None:
    """The province's organisations and the plan, read from their data files."""
    from organisations.loaders import organisations_load
    from tasks.loaders import plan_load

    organisations_load(path=ORGANISATIONS_FILE)
    plan_load(path=PLAN_FILE)


def load_if_missing() -> None:
    if not Plan.objects.filter(code=PLAN_CODE).exists():
        load_plan_and_organisations()


def _load_after_flush(sender, **kwargs) -> None:
    """A transactional test (live server, real Celery worker) ends by emptying every
    table, and Django then sends post_migrate for each app, as `migrate` does when it
    creates the test database. At the last app's signal the data files are loaded again,
    committed: the tests after it start from them, instead of each loading them inside
    its own rolled-back transaction (about 450 queries, a second or more a test)."""
    if sender.label == "reports":
        load_if_missing()


post_migrate.connect(_load_after_flush, dispatch_uid="tests.load_after_flush")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The data files loaded once per test database (each xdist worker has its own; the
    migrations that created it have loaded them, see `_load_after_flush`)."""
    with django_db_blocker.unblock():
        load_if_missing()


@pytest.fixture
def organisations(db):
    # Loaded already (django_db_setup, _load_after_flush), unless a test left the tables
    # empty some other way.
    load_if_missing()
    return {o.code: o for o in Organisation.objects.all()}


@pytest.fixture
def plan(organisations):
    return Plan.objects.get(code=PLAN_CODE)


@pytest.fixture
def empty_database(db):
    """For tests about an empty database: the session's plan and organisations are
    deleted inside this test's transaction, so they come back for the next test."""
    from django.db import connection

    from tasks.models import Document

    with connection.cursor() as cursor:  # the plan's content protects itself from delete()
        if connection.vendor == "postgresql":
            tables = ", ".join(m._meta.db_table for m in (Organisation, Plan, Document))
            cursor.execute(f"TRUNCATE {tables} CASCADE")
            return
        # SQLite has no TRUNCATE … CASCADE: its foreign keys are checked at the end of the
        # test's transaction, which rolls back, and every table of the apps is emptied.
        from django.apps import apps

        cursor.execute("PRAGMA defer_foreign_keys = ON")
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in {"organisations", "tasks", "reports"} and (
                model is not User and model._meta.auto_created is not User
            ):
                cursor.execute(f'DELETE FROM "{model._meta.db_table}"')  # noqa: S608 (model tables)


def make_user(username: str, *, organisation: Organisation | None = None, role: str = "") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, last_name=username)
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def reporter(plan, organisations):
    """A reporter of Huyện ủy Càng Long."""
    return make_user("reporter", organisation=organisations["TV-HCL"], role=Role.REPORTER)


@pytest.fixture
def other_reporter(plan, organisations):
    """A reporter of another district, Huyện ủy Cầu Kè."""
    return make_user("other-reporter", organisation=organisations["TV-HCK"], role=Role.REPORTER)


@pytest.fixture
def body_reporter(plan, organisations):
    """A reporter of Ban Tuyên giáo: a contributor, not a reporter, under 112-KH/TU (duty 2;
    III.1 obliges only the committees), so it writes contributions."""
    return make_user("body-reporter", organisation=organisations["TV-BTG"], role=Role.REPORTER)


@pytest.fixture
def reviewer(plan, organisations):
    return make_user("reviewer", organisation=organisations["TV-BTC"], role=Role.REVIEWER)


@pytest.fixture
def leader(plan, organisations):
    return make_user("leader", organisation=organisations["TV-TT"], role=Role.LEADER)


@pytest.fixture
def district_reviewer(plan, organisations):
    """A reviewer at Huyện ủy Càng Long: reviews its grassroots' reports, reads its subtree."""
    return make_user("district-reviewer", organisation=organisations["TV-HCL"], role=Role.REVIEWER)


@pytest.fixture
def other_district_reviewer(plan, organisations):
    """A reviewer at Huyện ủy Cầu Kè: nothing of Càng Long is theirs."""
    return make_user(
        "other-district-reviewer", organisation=organisations["TV-HCK"], role=Role.REVIEWER
    )


@pytest.fixture
def grassroots_reporter(plan, organisations):
    """A reporter of Đảng ủy xã An Trường, under Huyện ủy Càng Long."""
    return make_user(
        "grassroots-reporter",
        organisation=organisations["TV-HCL-XANTRUONG"],
        role=Role.REPORTER,
    )


@pytest.fixture
def admin_user(plan):
    return User.objects.create_superuser(username="admin", password=PASSWORD, email="")


@pytest.fixture
def outsider(plan):
    """Signed in, but with no role anywhere."""
    return make_user("outsider")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def district_committees():
    return Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COMMITTEE)
