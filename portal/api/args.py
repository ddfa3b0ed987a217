"""Reading query arguments and JSON bodies; every refusal is a 400 :class:`ApiError`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request

from portal.api.errors import ApiError


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}")
    return value


def choice_arg(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = request.args.get(name, default)
    if value not in choices:
        raise ApiError(400, f"{name} must be one of {', '.join(choices)}")
    return value


def json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None
