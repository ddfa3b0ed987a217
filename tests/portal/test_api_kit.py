"""The API kit knows no area; each area registers its own endpoints and OpenAPI paths."""

from __future__ import annotations

import subprocess
import sys

from flask.testing import FlaskClient


def test_the_kit_imports_no_area() -> None:
    code = (
        "import sys, portal.api.openapi, portal.api.views, portal.api.auth, portal.api.args, "
        "portal.api.envelopes\n"
        "areas = ('search', 'documents', 'annotations', 'briefings', 'entities', 'admin')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2][-1] in areas and m.startswith('portal.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_area_registers_its_paths(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert {
        "/search",
        "/saved-searches",
        "/documents/{doc_id}",
        "/entities",
        "/sources/{source_id}",
        "/annotations",
        "/briefings",
    } <= set(document["paths"])
    assert {"Hit", "Document", "Entity", "Source", "Error"} <= set(document["components"]["schemas"])
