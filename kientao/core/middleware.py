"""Request set-up: the signed-in user's language and current organisation."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from kientao.core.models import Organisation
from kientao.core.permissions import organisations_of

SESSION_ORG_KEY = "kientao_organisation"


class PreferredLanguageMiddleware:
    """Use the profile's language for a signed-in user who has not picked one here.

    An explicit choice (the language cookie) wins; otherwise the browser's
    Accept-Language decided already, in LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and getattr(user, "preferred_language", None)
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        return response


def _current_organisation(request: HttpRequest) -> Organisation | None:
    orgs = organisations_of(request.user)
    if not orgs:
        return None
    wanted = request.session.get(SESSION_ORG_KEY)
    for org in orgs:
        if org.slug == wanted:
            return org
    return orgs[0]


class CurrentOrganisationMiddleware:
    """``request.organisation``: the organisation chosen in the switcher (lazy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organisation = SimpleLazyObject(lambda: _current_organisation(request))  # type: ignore[attr-defined]
        request.my_organisations = SimpleLazyObject(lambda: organisations_of(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)
