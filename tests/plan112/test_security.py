"""Sign-in throttling, security headers and production's deploy check."""

import os
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.plan112.test_settings import PRODUCTION


def test_repeated_wrong_passwords_lock_the_account_with_a_vietnamese_message(client, reporter):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "reporter", "password": "sai-mat-khau"})
    response = client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "tạm thời bị khóa đăng nhập" in html
    assert "15 phút" in html
    assert client.get(reverse("home")).status_code == 302  # not signed in


def test_sign_ins_and_failures_are_logged_for_administrators(client, reporter, admin_user):
    from axes.models import AccessFailureLog, AccessLog

    client.post(reverse("login"), {"username": "reporter", "password": "sai"})
    client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    assert AccessFailureLog.objects.filter(username="reporter").count() == 1
    assert AccessLog.objects.filter(username="reporter").count() == 1
    client.force_login(admin_user)
    assert client.get("/quan-tri/axes/accesslog/").status_code == 200
    assert client.get("/quan-tri/admin/logentry/").status_code == 200


def test_pages_carry_a_strict_content_security_policy(client_for, reviewer):
    response = client_for(reviewer).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_or_style():
    import re

    offenders = []
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        if "emails" in path.parts:  # e-mail clients need inline styles; no CSP there
            continue
        text = path.read_text(encoding="utf-8")
        # Executable inline scripts (data blocks from json_script are fine), <style>
        # blocks, style= attributes and on*= handlers are all refused by the CSP.
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"<style\b|\sstyle=\"|\son[a-z]+=\"", text):
            offenders.append(f"{path}: inline style or handler")
    assert not offenders, offenders


def test_production_settings_pass_the_deploy_check(tmp_path):
    # Only what a production server has: the test process's own switches stay out (the
    # browser tests allow async-unsafe ORM calls, which the deploy check rightly flags).
    dropped = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(PRODUCTION, PLAN112_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="plan112.settings")
    env["SECRET_KEY"] = "q8#V!x2pL@r5Zt7&Kw9mN$b3Hc6Jd1Fg4Ys0Ue-Ai_Ro+Tl=Pk%Qj^Xv*Bn(Cz)Mh"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PROXY = "10.0.0.2"  # the reverse proxy: every request reaches gunicorn from it


def sign_in(client, password, *, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "reporter", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_one_clients_wrong_passwords_do_not_lock_out_another(
    client, reporter, settings
):
    settings.PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sai-mat-khau", forwarded_for="203.0.113.7")
    assert sign_in(client, PASSWORD, forwarded_for="203.0.113.7").status_code == 429

    response = sign_in(client, PASSWORD, forwarded_for="198.51.100.23")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_behind_a_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(
    client, reporter, settings
):
    settings.PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sai-mat-khau", forwarded_for="203.0.113.7")
    # The client wrote the first entry itself; the proxy appended the real address.
    response = sign_in(client, PASSWORD, forwarded_for="198.51.100.23, 203.0.113.7")
    assert response.status_code == 429


def test_without_a_proxy_count_the_forwarded_for_header_is_ignored(client, reporter, settings):
    settings.PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sai-mat-khau", forwarded_for=f"203.0.113.{attempt}")
    assert sign_in(client, PASSWORD, forwarded_for="198.51.100.23").status_code == 429
