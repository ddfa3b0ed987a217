"""How much of the interface the Dutch catalogue covers.

Extracts the messages from the sources with ``pybabel extract`` and the project's babel.cfg (the
same keywords the portal uses), then counts those with a complete Dutch translation in
``portal/translations/nl/LC_MESSAGES/messages.po``. Prints the figures; changes nothing.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "portal/translations/nl/LC_MESSAGES/messages.po"
KEYWORDS = ("_l", "lazy_gettext")  # besides pybabel's own (_, gettext, ngettext, ...)


def msgid(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def main() -> int:
    pybabel = Path(sys.executable).with_name("pybabel")
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "messages.pot"
        command = [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", str(template)]
        for keyword in KEYWORDS:
            command += ["-k", keyword]
        subprocess.run([*command, "."], cwd=ROOT, check=True)
        with template.open("rb") as handle:
            extracted = {msgid(m.id) for m in read_po(handle) if m.id}
    with CATALOGUE.open("rb") as handle:
        dutch = read_po(handle)
    translated = {msgid(m.id) for m in dutch if m.id and m.string and all(m.string)}
    done = extracted & translated
    missing = sorted(extracted - translated)
    print(f"catalogue strings (pybabel extract): {len(extracted)}")
    print(f"translated into Dutch: {len(done)} ({100 * len(done) / max(len(extracted), 1):.1f}%)")
    print(f"Dutch entries no longer in the sources: {len(translated - extracted)}")
    for text in missing:
        print(f"  missing: {text!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
