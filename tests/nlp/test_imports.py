"""The web process imports these modules; none of them may load spaCy."""

from __future__ import annotations

import subprocess
import sys


def test_light_modules_do_not_import_spacy() -> None:
    code = (
        "import sys\n"
        "import nlp, nlp.records, nlp.gazetteer, nlp.topics, nlp.groups, nlp.lookup, nlp.language, nlp.scoring\n"
        "assert nlp.lookup.resolve_country('Syria') == ['SY']\n"
        "assert nlp.topics.TOPICS\n"
        "assert nlp.groups.all_groups()\n"
        "loaded = sorted(m for m in sys.modules if m == 'spacy' or m.startswith('spacy.') or m == 'thinc')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
