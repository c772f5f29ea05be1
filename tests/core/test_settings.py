"""Settings come from the environment; malformed values stop start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_SECRET = "x" * 30 + "production-secret-for-the-deploy-check-only"


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KIENTAO_", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "kientao.settings"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KIENTAO_DEBUG": "maybe"}, "KIENTAO_DEBUG"),
        ({"KIENTAO_DEBUG": "false"}, "KIENTAO_SECRET_KEY"),
        ({"KIENTAO_DEBUG": "false", "KIENTAO_SECRET_KEY": "short"}, "KIENTAO_SECRET_KEY"),
        ({"DATABASE_URL": "mysql://root@localhost/db"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"KIENTAO_JOB_STALE_SECONDS": "soon"}, "KIENTAO_JOB_STALE_SECONDS"),
        ({"KIENTAO_JOB_STALE_SECONDS": "0"}, "KIENTAO_JOB_STALE_SECONDS"),
        ({"KIENTAO_EMAIL_HOST": "smtp.example.org", "KIENTAO_EMAIL_PORT": "x"}, "KIENTAO_EMAIL_PORT"),
    ],
)
def test_it_refuses_malformed_settings_naming_the_variable(env: dict[str, str], named: str) -> None:
    result = run_python("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_it_starts_with_nothing_set() -> None:
    result = run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.TASKS['default']['BACKEND'], s.EMAIL_BACKEND)"
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout
    assert "django_tasks_db" in result.stdout
    assert "console" in result.stdout


def test_it_passes_the_deploy_check_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kientao.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("KIENTAO_", "DATABASE_URL", "DJANGO_ALLOW"))},
            "KIENTAO_DEBUG": "false",
            "KIENTAO_SECRET_KEY": PROD_SECRET,
            "KIENTAO_ALLOWED_HOSTS": "kientao.example.gov.vn",
            "KIENTAO_VAR_DIR": str(tmp_path),
        },
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
