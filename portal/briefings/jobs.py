"""The scheduled job that drafts each desk's morning briefing. The scheduler calls it at 06:00.

Each desk is drafted in its own short transaction, so one failing desk never stops the others.
Does not publish: researchers edit and publish drafts in the portal.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from portal.briefings.drafting import WINDOW, desks, draft
from portal.config import Settings
from portal.db import transaction
from portal.models import utcnow

log = logging.getLogger(__name__)


def draft_briefings(factory: sessionmaker[Session], settings: Settings, now: datetime | None = None) -> int:
    """Draft one briefing per desk for today (in ``settings.timezone``); returns how many were made.

    Running it again the same day makes no second draft for a desk: existing ones are kept.
    """
    end = now or utcnow()
    if end.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    for_date = end.astimezone(ZoneInfo(settings.timezone)).date()
    with transaction(factory) as session:
        specs = desks(session, end - WINDOW, end)
    made = 0
    failed: list[str] = []
    for spec in specs:
        try:
            with transaction(factory) as session:
                briefing = draft(session, spec, for_date, end)
                if briefing is not None:
                    made += 1
                    log.info("drafted %s with %d items", briefing.title, len(briefing.items))
        except IntegrityError:  # another process drafted it meanwhile
            log.info("briefing for %s on %s exists already", spec.key, for_date)
        except Exception:
            log.exception("drafting the briefing for desk %s failed", spec.key)
            failed.append(spec.key)
    if failed:
        raise RuntimeError(f"drafting failed for {len(failed)} desk(s): {', '.join(failed)}")
    return made
