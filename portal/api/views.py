"""The kit's own endpoint: the OpenAPI document assembled from what the areas registered."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from portal.api import PREFIX, api_blueprint
from portal.api.openapi import spec

bp = api_blueprint("api", __name__)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(spec(request.host_url.rstrip("/") + PREFIX))
