"""Production settings: `manage.py check --deploy` and the HTTPS-only values, read in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "SECRET_KEY": "k7#Vq9!pZ2rW@x4mT8$bN1&cL6^yH3*eJ5(gD0)fS-uA=oI+vR_wE7%tQ2~nM9",
    "DEBUG": "0",
    "SECURE_SSL": "1",
    "ALLOWED_HOSTS": "cases.example.org",
    "DJANGO_SETTINGS_MODULE": "casemgmt.settings",
}

# Set by the test settings or by tests/browser/conftest.py, and never in production.
TEST_RUN_VARIABLES = {"DEBUG", "SECURE_SSL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}

SETTINGS_TO_PRINT = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
]


def run_in_production(args, **extra_env):
    """Run Python in a new process with production settings, without the test run's variables."""
    env = {key: value for key, value in os.environ.items() if key not in TEST_RUN_VARIABLES}
    env.update(PRODUCTION_ENV, **extra_env)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def production_settings(**extra_env):
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SETTINGS_TO_PRINT!r}}}))"
    )
    result = run_in_production(["-c", script], **extra_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_check_deploy_reports_nothing():
    result = run_in_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_production_is_https_only():
    values = production_settings()

    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.slow
def test_production_hsts_defaults_to_one_year():
    values = production_settings()

    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True


@pytest.mark.slow
def test_hsts_configurable_by_environment():
    values = production_settings(SECURE_HSTS_SECONDS="600", SECURE_HSTS_PRELOAD="0")

    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_PRELOAD"] is False


@pytest.mark.slow
def test_production_refuses_missing_secret_key():
    result = run_in_production(["manage.py", "check"], SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
