"""Server-side validity of log-in sessions.

The signed session cookie carries the user's session generation, the log-in time and the time it was
last seen. A session is refused when the user's generation has moved on (log-out, a password change,
deactivation: every session of that user ends at once), when it was idle too long, or when it is older
than its absolute lifetime. Does not store sessions on the server: the generation is the only state.
"""

from __future__ import annotations

import time

from flask import current_app, session

from portal.auth.passwords import hash_password
from portal.config import Settings
from portal.models import User

# the last-seen time is rewritten at most this often, so that most answers carry no new cookie
TOUCH_SECONDS = 60


def start(user: User) -> None:
    """Bind the fresh session to the user's current generation."""
    now = int(time.time())
    session["gen"] = user.session_generation or 0
    session["login_at"] = now
    session["seen_at"] = now
    session.permanent = True


def is_valid(user: User) -> bool:
    """Is this request's session still one the user may use? Touches its last-seen time."""
    settings: Settings = current_app.extensions["coi_settings"]
    now = int(time.time())
    gen, login_at, seen_at = session.get("gen"), session.get("login_at"), session.get("seen_at")
    if not isinstance(gen, int) or not isinstance(login_at, int) or not isinstance(seen_at, int):
        return False
    if gen != (user.session_generation or 0):
        return False
    if now - login_at > settings.session_lifetime_hours * 3600:
        return False
    if now - seen_at > settings.session_idle_minutes * 60:
        return False
    if now - seen_at >= TOUCH_SECONDS:
        session["seen_at"] = now
    return True


def end_all(user: User) -> None:
    """End every session of the user, on every device (committed with the request)."""
    user.session_generation = (user.session_generation or 0) + 1


def change_password(user: User, password: str) -> None:
    """Set a new password and end every session that used the old one."""
    user.password_hash = hash_password(password)
    end_all(user)
