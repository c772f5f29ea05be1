"""The JSON API under ``/api/``: OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``.

One router per app, added here explicitly. Scripts authenticate with a personal
token (``Authorization: Bearer kt_…``); pages' own calls use the session.
"""

from __future__ import annotations

from ninja import NinjaAPI

from kientao.challenges.api import router as challenges_router
from kientao.conversations.api import router as conversations_router
from kientao.core.api import SessionAuth, TokenAuth
from kientao.core.api import router as core_router
from kientao.indices.api import router as indices_router
from kientao.systemmaps.api import router as systemmaps_router

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
api.add_router("/challenges", challenges_router)
api.add_router("/conversations", conversations_router)
api.add_router("/maps", systemmaps_router)
api.add_router("/indices", indices_router)
