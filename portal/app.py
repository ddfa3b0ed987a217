"""The Flask application factory. Every area's blueprint is registered here, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_login import current_user

from portal.config import Settings
from portal.extensions import csrf, db, login_manager


def create_app(config: Mapping[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    settings.ensure_instance()
    app = Flask(__name__, instance_path=str(settings.instance_path), instance_relative_config=False)
    app.config.update(
        SECRET_KEY=settings.load_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_lifetime_hours),
        # the cookie is signed and sent again only when the session changes (its last-seen time
        # moves on at most once a minute, see portal.auth.sessions), not with every answer
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    if config:
        app.config.update(config)

    import portal.schema  # noqa: F401  (every area's tables on the metadata)

    app.extensions["coi_settings"] = settings

    db.init_app(app, settings)
    csrf.init_app(app)
    login_manager.init_app(app)

    from portal.admin.api import bp as sources_api_bp
    from portal.admin.views import bp as admin_bp
    from portal.annotations.api import bp as annotations_api_bp
    from portal.annotations.views import bp as annotations_bp
    from portal.api.views import bp as api_bp
    from portal.auth.views import bp as auth_bp
    from portal.briefings.api import bp as briefings_api_bp
    from portal.briefings.views import bp as briefings_bp
    from portal.countries.views import bp as countries_bp
    from portal.digests.views import bp as digests_bp
    from portal.documents.api import bp as documents_api_bp
    from portal.documents.views import bp as documents_bp
    from portal.entities.api import bp as entities_api_bp
    from portal.entities.views import bp as entities_bp
    from portal.screening.api import bp as screening_api_bp
    from portal.screening.views import bp as screening_bp
    from portal.search.api import bp as search_api_bp
    from portal.search.views import bp as search_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(annotations_bp)
    app.register_blueprint(digests_bp)
    app.register_blueprint(briefings_bp)
    app.register_blueprint(countries_bp)
    app.register_blueprint(entities_bp)
    app.register_blueprint(screening_bp)
    # the API: the kit's own endpoint, then each area's
    for api in (search_api_bp, documents_api_bp, entities_api_bp, sources_api_bp):
        app.register_blueprint(api)
    app.register_blueprint(annotations_api_bp)
    app.register_blueprint(briefings_api_bp)
    app.register_blueprint(screening_api_bp)
    from portal.auth.account import bp as account_bp

    app.register_blueprint(account_bp)
    from portal.apidocs.views import bp as apidocs_bp

    app.register_blueprint(apidocs_bp)

    from portal import errors, i18n, templating

    errors.init_app(app)

    templating.init_app(app)
    i18n.init_app(app)

    @app.before_request
    def refuse_nul_characters() -> Response | None:
        """No text with NUL characters reaches the database (PostgreSQL refuses them)."""
        values = [*request.args.values(), *request.form.values(), request.path]
        if request.is_json:
            raw = request.get_data(cache=True)
            if b"\\u0000" in raw or b"\x00" in raw:
                values.append("\x00")
        if any("\x00" in v for v in values):
            response = jsonify({"error": "the request holds a NUL character"})
            response.status_code = 400
            return response
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.endpoint != "static" and (
            request.blueprint == "api" or request.path.startswith("/api/") or current_user.is_authenticated
        ):
            # pages behind log-in and API answers stay out of shared and browser caches
            response.headers["Cache-Control"] = "no-store"
        if settings.base_url.startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    return app
