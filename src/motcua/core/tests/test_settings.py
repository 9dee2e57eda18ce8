"""Production configuration refuses unsafe defaults (run as a real process, as an operator would)."""

import os
import subprocess
import sys


def _check(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "MOTCUA_VAR_DIR": str(tmp_path), **env}
    full.pop("DATABASE_URL", None)
    full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' process only
    return subprocess.run(
        [sys.executable, "-m", "motcua", "check", "--deploy", "--fail-level", "ERROR"],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )


def test_production_refuses_the_development_secret_key(tmp_path):
    result = _check({"MOTCUA_ENV": "production"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_secret_and_requires_two_factor(tmp_path):
    secret = "p" * 20 + "-real-secret-for-the-test-" + "q" * 20
    result = _check(
        {"MOTCUA_ENV": "production", "SECRET_KEY": secret, "ALLOWED_HOSTS": "dichvucong.example.vn"}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; import django; django.setup(); "
            "print(s.MOTCUA_REQUIRE_2FA, s.SESSION_COOKIE_SECURE, s.DEBUG)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_ENV": "production",
            "SECRET_KEY": secret,
            "MOTCUA_VAR_DIR": str(tmp_path),
        },
    )
    assert probe.stdout.split() == ["True", "True", "False"], probe.stderr
