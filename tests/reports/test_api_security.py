"""The API's HTTP Basic sign-in shares the sign-in form's lockout, and every caller is
throttled."""

import base64
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from organisations.models import User
from tests.conftest import PASSWORD

URL = "/api/v1/cycles/"


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture(autouse=True)
def empty_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def test_wrong_basic_passwords_lock_the_account_like_the_sign_in_form(client, reviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert client.get(URL, **basic("reviewer", "sai-mat-khau")).status_code == 401
    assert client.get(URL, **basic("reviewer", PASSWORD)).status_code == 401
    response = client.post(reverse("login"), {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 429


def test_sign_in_form_lockout_also_closes_the_api(client, reviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "reviewer", "password": "sai-mat-khau"})
    assert client.get(URL, **basic("reviewer", PASSWORD)).status_code == 401


def test_locked_out_basic_credentials_are_refused_without_hashing(client, reviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.get(URL, **basic("reviewer", "sai-mat-khau"))
    with (
        mock.patch.object(User, "check_password") as check,
        mock.patch.object(User, "set_password") as hash_dummy,
    ):
        assert client.get(URL, **basic("reviewer", "sai-mat-khau")).status_code == 401
    check.assert_not_called()
    hash_dummy.assert_not_called()


def test_api_failures_are_logged_for_administrators(client, reviewer):
    from axes.models import AccessFailureLog

    client.get(URL, **basic("reviewer", "sai-mat-khau"))
    assert AccessFailureLog.objects.filter(username="reviewer").count() == 1


def rates(anon: str, user: str):
    # DRF reads the rates once, when the throttle classes are imported.
    return mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", {"anon": anon, "user": user})


def test_basic_attempts_with_random_names_are_throttled_before_any_hashing(client, db):
    with rates("3/minute", "1000/minute"):
        for attempt in range(3):
            assert client.get(URL, **basic(f"nobody-{attempt}", "x")).status_code == 401
        with (
            mock.patch.object(User, "check_password") as check,
            mock.patch.object(User, "set_password") as hash_dummy,
        ):
            response = client.get(URL, **basic("nobody-4", "x"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    check.assert_not_called()
    hash_dummy.assert_not_called()


def test_throttled_addresses_do_not_slow_other_callers(client, db, reviewer):
    with rates("1/minute", "1000/minute"):
        client.get(URL, REMOTE_ADDR="203.0.113.7", **basic("x", "y"))
        throttled = client.get(URL, REMOTE_ADDR="203.0.113.7", **basic("reviewer", PASSWORD))
        other = client.get(URL, REMOTE_ADDR="198.51.100.23", **basic("reviewer", PASSWORD))
    assert throttled.status_code == 429
    assert other.status_code == 200


def test_signed_in_callers_are_throttled_per_user(client_for, reviewer):
    signed_in = client_for(reviewer)
    with rates("1000/minute", "2/minute"):
        assert signed_in.get(URL).status_code == 200
        assert signed_in.get(URL).status_code == 200
        response = signed_in.get(URL)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
