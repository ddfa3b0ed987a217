"""Styled, translated error pages (400, 403, 404, 405, 500) with the site navigation, and the
favicon at the address browsers ask for. JSON answers stay JSON under ``/api/``."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role does not give access to this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have moved or been removed.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    500: (
        _l("Something went wrong"),
        _l("The portal could not answer. The error is logged; try again later."),
    ),
}


def render_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if request.path.startswith("/api/") and not request.path.startswith("/api/docs"):
        return jsonify({"error": error.description or error.name}), code
    title, text = TEXTS.get(code, (error.name, error.description or ""))
    return render_template("errors/error.html", code=code, title=title, text=text), code


def init_app(app: Flask) -> None:
    for code in TEXTS:
        app.register_error_handler(code, render_error)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> ResponseReturnValue:
        try:
            return render_error(error)
        except Exception:  # the page itself failed: answer plainly
            app.logger.exception("the error page could not be rendered")
            return "Internal Server Error", 500

    @app.get("/favicon.ico")
    def favicon() -> ResponseReturnValue:
        return redirect(url_for("static", filename="favicon.svg"), 301)
