"""The web process never imports the worker's modules: no pipeline, no spaCy, no collectors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from portal.app import create_app
from portal.config import Settings
app = create_app(settings=Settings(instance_path=__import__("pathlib").Path(sys.argv[1]), spacy_model=None))
app.test_client().get("/login")
print(",".join(m for m in ("portal.pipeline", "spacy", "collectors") if m in sys.modules))
"""


def test_serving_a_page_loads_no_worker_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", result.stdout
