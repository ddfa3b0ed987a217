"""The API kit: errors, token auth, argument helpers, response envelopes and the OpenAPI registry.

Every area owns its API blueprint (made with :func:`api_blueprint`) and registers its own OpenAPI
paths (:func:`portal.api.openapi.register`); this package knows no area.
"""

from __future__ import annotations

from flask import Blueprint

from portal.api.errors import register_handlers
from portal.extensions import csrf

PREFIX = "/api/v1"


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /api/v1 with JSON errors and no CSRF check (tokens, not cookies)."""
    bp = Blueprint(name, import_name, url_prefix=PREFIX)
    csrf.exempt(bp)
    register_handlers(bp)
    return bp
