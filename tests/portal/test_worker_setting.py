"""COI_WORKER_NICE: how far `coi worker` lowers its CPU priority below the web server's."""

from __future__ import annotations

import pytest

from portal.config import Settings


def test_the_worker_gives_way_by_default_and_a_bad_value_is_refused() -> None:
    assert Settings.from_env({}).worker_nice == 10
    assert Settings.from_env({"COI_WORKER_NICE": "0"}).worker_nice == 0
    assert Settings.from_env({"COI_WORKER_NICE": "19"}).worker_nice == 19
    with pytest.raises(ValueError, match="COI_WORKER_NICE must be from 0 to 19, not 20"):
        Settings.from_env({"COI_WORKER_NICE": "20"})
    with pytest.raises(ValueError, match="COI_WORKER_NICE must be from 0 to 19, not -5"):
        Settings.from_env({"COI_WORKER_NICE": "-5"})
    with pytest.raises(ValueError, match="COI_WORKER_NICE must be a whole number"):
        Settings.from_env({"COI_WORKER_NICE": "low"})
