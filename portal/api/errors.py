"""API errors: raised as :class:`ApiError`, answered as ``{"error": "..."}`` with the status."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _api_error(exc: ApiError) -> ResponseReturnValue:
    response = jsonify({"error": exc.message})
    response.status_code = exc.status
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="coi"'
    return response


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    response = jsonify({"error": exc.description or exc.name})
    response.status_code = exc.code or 500
    return response


def register_handlers(bp: Blueprint) -> None:
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(HTTPException, _http_error)
