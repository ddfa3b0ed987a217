from __future__ import annotations

import pytest

from nlp.coordinates import country_at, find_coordinates


def test_degrees_minutes_and_seconds_are_read() -> None:
    (point,) = find_coordinates("Coordinates: 57°42′30″N 11°58′15″E")
    assert point.lat == pytest.approx(57.7083, abs=1e-4)
    assert point.lon == pytest.approx(11.9708, abs=1e-4)
    assert point.country == "SE"
    assert point.canonical == "57.7083°N 11.9708°E"


def test_impossible_angles_are_no_coordinates() -> None:
    assert find_coordinates("at 33°75′N 44°30′E") == []  # 75 minutes
    assert find_coordinates("at 95°N 44°E") == []
    assert find_coordinates("coordinates 123.456, 44.500") == []  # latitude beyond 90


def test_country_is_that_of_the_nearest_town_within_reach() -> None:
    assert country_at(36.2021, 37.1343) == "SY"  # Aleppo
    assert country_at(-1.2833, 36.8167) == "KE"  # Nairobi
    assert country_at(0.0, -30.0) is None  # the Atlantic
