"""Settings start from the environment; production refuses to start without secrets."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "plan112.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        env=clean,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


PRODUCTION = {
    "PLAN112_ENV": "production",
    "SECRET_KEY": "x" * 60,
    "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "baocao.example.vn",
    "SITE_URL": "https://baocao.example.vn",
    "EMAIL_HOST": "smtp.example.vn",
}


def test_production_starts_with_every_secret(tmp_path):
    result = start({**PRODUCTION, "PLAN112_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"])
def test_production_names_the_missing_variable(tmp_path, missing):
    env = {**PRODUCTION, "PLAN112_VAR_DIR": str(tmp_path)}
    env.pop(missing)
    result = start(env)
    assert result.returncode != 0
    assert f"Thiếu biến môi trường {missing}" in result.stderr


def test_embedded_default_needs_nothing(tmp_path):
    result = start({"PLAN112_VAR_DIR": str(tmp_path / "var")})
    assert result.returncode == 0, result.stderr
    for folder in ("mail", "media", "broker/queue", "broker/processed"):
        assert (tmp_path / "var" / folder).is_dir(), folder


def test_only_vietnamese_is_offered():
    assert [code for code, _ in settings.LANGUAGES] == ["vi"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ


def test_the_wsgi_application_loads_every_view_and_freezes_what_it_loaded():
    """A worker's full garbage collections walk only what requests create, not Django and
    the views, which live as long as the worker (plan112/wsgi.py)."""
    import gc
    import sys

    from plan112 import wsgi

    assert callable(wsgi.application)
    assert "reports.views.dashboard" in sys.modules
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()  # the rest of the tests run as before
