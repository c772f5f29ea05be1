"""WSGI app for bench_ingest.py: the real site plus one bare view doing a single insert.

Loaded by gunicorn only (``--pythonpath benchmarks/conversations ingest_app:application``);
the bare view exists here, never in the application.
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")

from django.conf import settings

settings.DEBUG = False
settings.ROOT_URLCONF = "ingest_app"
# The benchmark measures throughput from one address; the limits are tested elsewhere.
settings.KIENTAO_CONVERSATIONS_VOTES_PER_MINUTE = 10**9
settings.KIENTAO_CONVERSATIONS_ADDRESS_VOTES_PER_MINUTE = 10**9

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_vote(request: HttpRequest) -> HttpResponse:
    """One INSERT … ON CONFLICT into the vote table: the floor any vote endpoint pays."""
    body = json.loads(request.body)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO conversations_vote (participant_id, statement_id, value, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (participant_id, statement_id) "
            "DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
            [int(body["participant"]), int(body["statement"]), int(body["vote"]), now, now],
        )
    return JsonResponse({"ok": True})


urlpatterns = [path("bare-vote/", bare_vote), path("", include("kientao.urls"))]
