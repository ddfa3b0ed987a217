"""The whole schema: every area's models, imported in one place.

The app factory and ``migrations/env.py`` import this module so that all tables are on
:data:`portal.db.Base.metadata` and every relationship can be resolved.
"""

from __future__ import annotations

import portal.annotations.models
import portal.auth.models
import portal.briefings.models
import portal.cluster.models
import portal.digests.models
import portal.models
import portal.screening.models  # noqa: F401

__all__: list[str] = []
