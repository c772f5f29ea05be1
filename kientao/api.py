"""The JSON API under ``/api/``: OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``.

One router per app, added here explicitly. Scripts authenticate with a personal
token (``Authorization: Bearer kt_…``); pages' own calls use the session.
"""

from __future__ import annotations

from ninja import NinjaAPI

from kientao.core.api import SessionAuth, TokenAuth
from kientao.core.api import router as core_router

api = NinjaAPI(
    title="Kiến Tạo API",
    version="1",
    description=(
        "JSON API of Kiến Tạo. Authenticate scripts with a personal token from your "
        "profile page: `Authorization: Bearer <token>`. Every endpoint applies the same "
        "permission rules as the web pages."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/", core_router)
