"""Shared fixtures: personas for access tests, and the dbtest marker.

Every test that touches the database is marked ``dbtest`` automatically, so that
``make test`` can run exactly those again on PostgreSQL when DATABASE_URL is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "client", "admin_client",
               "personas", "django_user_model"}

PASSWORD = "Persona-pass-2026"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & DB_FIXTURES or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.dbtest)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """One test database per pytest process, so that parallel runs never share one."""
    import os

    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        # Live-server request threads must not keep connections open after the test,
        # or the test database cannot be dropped.
        settings_dict["CONN_MAX_AGE"] = 0
        test = settings_dict.setdefault("TEST", {})
        if settings_dict["ENGINE"].endswith("sqlite3"):
            name = test.get("NAME")
            if name and name != ":memory:":
                test["NAME"] = name.replace(".sqlite3", f"-{os.getpid()}.sqlite3")
        else:
            test["NAME"] = f"test_{settings_dict['NAME']}_{os.getpid()}"


@pytest.fixture(scope="session")
def end_stray_db_sessions(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """At the end of the run, end database sessions that live-server threads left open.

    Requested by the browser tests' ``page`` fixture. It is set up after the test
    database, so it is torn down before it: on PostgreSQL, a session still open then
    stops pytest-django from dropping the database ("is being accessed by other users").
    Each pytest process has its own test database, so only this run's sessions end.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _test_settings(request: Any) -> None:
    """Fast password hashing, and jobs run in-process unless a test asks for the real queue.

    Engine tests run without Django too (``-p no:django``); then there is nothing to set.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    # A fresh cache namespace per test: rate-limit counters must not leak between tests or
    # runs (Redis keeps them), and flushing Redis would also drop the job queue.
    import uuid

    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }
    # Real hashing costs ~0.3 s per account; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if request.node.get_closest_marker("real_queue") is None:
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Personas:
    """One account per persona, with an organisation they belong to (or not)."""

    org: Any
    other_org: Any
    platform_admin: Any
    org_admin: Any
    organiser: Any
    judge: Any
    member: Any
    applicant: Any
    participant: Any
    outsider: Any

    NAMES = ("platform_admin", "org_admin", "organiser", "judge", "member", "applicant",
             "participant", "outsider")


@pytest.fixture
def personas(db: Any) -> Personas:
    from kientao.core.models import Membership, Organisation, Role, User

    org = Organisation.objects.create(name="Lab Hội An", slug="lab-hoi-an")
    other = Organisation.objects.create(name="Other lab", slug="other-lab")

    def make(name: str, role: str | None, **extra: Any) -> Any:
        user = User.objects.create_user(email=f"{name}@example.org", password=PASSWORD,
                                        full_name=name.replace("_", " ").title(),
                                        email_confirmed=True, preferred_language="en", **extra)
        if role:
            Membership.objects.create(user=user, organisation=org, role=role)
        return user

    return Personas(
        org=org,
        other_org=other,
        platform_admin=make("platform_admin", None, is_superuser=True, is_staff=True),
        org_admin=make("org_admin", Role.ADMIN),
        organiser=make("organiser", Role.ORGANISER),
        judge=make("judge", Role.JUDGE),
        member=make("member", Role.MEMBER),
        applicant=make("applicant", None),
        participant=make("participant", None),
        outsider=make("outsider", None),
    )


@pytest.fixture
def as_user(client: Any) -> Any:
    """``as_user(user)`` returns the test client signed in as that user (None: anonymous)."""

    def sign_in(user: Any) -> Any:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
