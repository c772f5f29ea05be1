"""Client addresses for rate limits: behind trusted proxies, and only ever stored hashed."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address.

    Behind ``KIENTAO_TRUSTED_PROXIES`` reverse proxies, the address that the outermost
    trusted proxy saw: the N-th entry from the right of ``X-Forwarded-For`` (entries
    further left are written by the client and cannot be trusted).
    """
    proxies = settings.KIENTAO_TRUSTED_PROXIES
    if proxies > 0:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        forwarded = [a.strip() for a in header.split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR", "") or "")


def address_hash(request: HttpRequest) -> str:
    """A salted hash of the client's address (empty when unknown); raw addresses are never stored."""
    address = client_address(request)
    if not address:
        return ""
    salt = str(settings.KIENTAO_ADDRESS_SALT).encode()
    return hmac.new(salt, address.encode(), hashlib.sha256).hexdigest()
