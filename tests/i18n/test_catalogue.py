"""The Dutch catalogue covers every message of the interface, and the switch works."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import portal

ROOT = Path(portal.__file__).parent
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
    ("**/templates/**.atom", "jinja2"),
    ("**/templates/**.xml", "jinja2"),
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "ugettext": None,
    "ungettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
}


def source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def test_every_message_has_a_dutch_translation() -> None:
    with (ROOT / "translations/nl/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalogue
        if m.id and m.string and all(m.string)
    }
    missing = sorted(source_messages() - translated)
    assert not missing, f"messages without a Dutch translation: {missing}"


def test_user_switches_the_interface_to_dutch(logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("officer")
    page = client.get("/").get_data(as_text=True)
    assert ">Search</a>" in page and 'lang="en"' in page
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    response = client.post("/language", data={"locale": "nl", "next": "/", "csrf_token": token.group(1)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert ">Zoeken</a>" in page and 'lang="nl"' in page and "Afmelden" in page
    # an unknown language is ignored
    client.post("/language", data={"locale": "xx", "next": "/", "csrf_token": token.group(1)})
    assert ">Zoeken</a>" in client.get("/").get_data(as_text=True)


def test_a_new_user_gets_the_browser_language_until_choosing(
    app: Any, client: FlaskClient, users: dict[str, Any], factory: Any
) -> None:
    from sqlalchemy import select, update

    from portal.models import User
    from tests.conftest import login

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl-BE,nl;q=0.9,en;q=0.5"
    assert 'lang="nl"' in client.get("/login").get_data(as_text=True)
    assert login(client, "officer").status_code == 302
    assert ">Zoeken</a>" in client.get("/").get_data(as_text=True)
    with factory() as session:  # kept, so that the e-mails speak Dutch too
        assert session.scalar(select(User.locale).where(User.username == "officer")) == "nl"
        session.execute(update(User).where(User.username == "researcher").values(locale="en"))
        session.commit()
    # a language the user chose wins over the browser's
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    assert login(other, "researcher").status_code == 302
    assert ">Search</a>" in other.get("/").get_data(as_text=True)


def test_country_names_follow_the_interface_language(app: Any) -> None:
    from flask_babel import force_locale

    from portal.templating import country_name

    with app.test_request_context("/"):
        assert country_name("SD") == "Sudan"
        with force_locale("nl"):
            assert country_name("SD") == "Soedan"
            assert country_name("sy") == "Syrië"


def test_the_interface_locale_is_chosen_once_and_follows_a_forced_one(app: Any) -> None:
    from flask_babel import force_locale

    from portal.i18n import interface_locale
    from portal.search.labels import month_name

    assert interface_locale() is None  # no app context
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert str(interface_locale()) == "nl"  # chosen now, by Flask-Babel's selector
        assert month_name("2026-03") == "maart 2026"
        with force_locale("en"):
            assert str(interface_locale()) == "en"
            assert month_name("2026-03") == "March 2026"
        assert str(interface_locale()) == "nl"


def test_workers_starting_together_each_compile_the_catalogues_safely(tmp_path: Path) -> None:
    from babel.messages.mofile import read_mo

    from portal.i18n import compile_catalogues

    target = tmp_path / "translations"
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def compile_now() -> None:
        start.wait()
        try:
            compile_catalogues(target)
        except BaseException as exc:  # recorded: a thread's exception would otherwise be lost
            failures.append(exc)

    for _ in range(5):  # fresh each round: every thread finds the catalogue missing
        shutil.rmtree(target, ignore_errors=True)
        threads = [threading.Thread(target=compile_now) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures
        mo = target / "nl" / "LC_MESSAGES" / "messages.mo"
        with mo.open("rb") as handle:
            assert read_mo(handle).get("Search") is not None
        assert sorted(p.name for p in mo.parent.iterdir()) == ["messages.mo"]


def test_templates_follow_a_language_forced_within_the_request(app: Any) -> None:
    """Pages look their catalogue up once per request; a block that forces another language
    (an e-mail sent from a page, in its reader's language) still gets that language's strings."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = '{{ _("Search") }}|{{ ngettext("%(num)d document", "%(num)d documents", 2) }}'
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert render_template_string(page) == "Zoeken|2 documenten"
        with force_locale("en"):
            assert render_template_string(page) == "Search|2 documents"
        assert render_template_string(page) == "Zoeken|2 documenten"


def test_form_messages_follow_the_interface_language(app: Any, users: dict[str, Any], factory: Any) -> None:
    """WTForms' own messages ("This field is required.") come in the user's language, and the
    catalogue, read once per language, does not carry one user's language over to another."""
    import re

    from sqlalchemy import update

    from portal.models import User
    from tests.conftest import login

    with factory() as session:
        session.execute(update(User).where(User.username == "officer").values(locale="nl"))
        session.execute(update(User).where(User.username == "researcher").values(locale="en"))
        session.commit()
    for name, expected, other in (
        ("officer", "Dit veld is vereist.", "This field is required."),
        ("researcher", "This field is required.", "Dit veld is vereist."),
        ("officer", "Dit veld is vereist.", "This field is required."),
    ):
        client = app.test_client()
        assert login(client, name).status_code == 302
        page = client.get("/settings/account").get_data(as_text=True)
        token = re.search(r'name="pw-csrf_token"[^>]*value="([^"]+)"', page)
        assert token
        answer = client.post("/settings/account/password", data={"pw-csrf_token": token.group(1)})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 400 and expected in text and other not in text
