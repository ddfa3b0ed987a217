"""The COI research portal: storage, pipeline, scheduled jobs, web UI, API and the ``coi`` CLI."""

from __future__ import annotations

__version__ = "0.1.0"
