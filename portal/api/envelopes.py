"""The shapes every API answer shares: listings, item lists, created rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, jsonify


def listing(items: Iterable[dict[str, Any]], limit: int, offset: int) -> Response:
    return jsonify({"items": list(items), "limit": limit, "offset": offset})


def items(rows: Iterable[dict[str, Any]]) -> Response:
    return jsonify({"items": list(rows)})


def created(data: dict[str, Any]) -> Response:
    response = jsonify(data)
    response.status_code = 201
    return response
