"""Serve Swagger UI at ``/api/docs`` and its files from the ``swagger-ui-bundle`` package."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from swagger_ui_bundle import swagger_ui_path

from portal.auth.roles import roles_required

bp = Blueprint("apidocs", __name__)

# the only files of the bundle the page needs; nothing else of the package is reachable
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"})

# Swagger UI sets style attributes from script: only this page allows inline styles
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
)


@bp.get("/api/docs")
@roles_required()
def reference() -> ResponseReturnValue:
    html = render_template("apidocs/reference.html", spec_url=url_for("api.openapi"))
    return html, 200, {"Content-Security-Policy": CSP}


@bp.get("/api/docs/assets/<name>")
def asset(name: str) -> ResponseReturnValue:
    if name not in ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_path, name, max_age=86400)
