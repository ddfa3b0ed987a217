from __future__ import annotations

import pytest

from nlp.coordinates import country_at, find_coordinates


def test_degrees_minutes_and_seconds_are_read() -> None:
    (point,) = find_coordinates("Coordinates: 59°10′25″N 18°10′05″E")
    assert point.lat == pytest.approx(59.1736, abs=1e-4)
    assert point.lon == pytest.approx(18.1681, abs=1e-4)
    assert point.country == "SE"
    assert point.canonical == "59.1736°N 18.1681°E"


def test_impossible_angles_are_no_coordinates() -> None:
    assert find_coordinates("at 33°75′N 44°30′E") == []  # 75 minutes
    assert find_coordinates("at 95°N 44°E") == []
    assert find_coordinates("coordinates 123.456, 44.500") == []  # latitude beyond 90


def test_country_is_that_of_the_nearest_town_within_reach() -> None:
    assert country_at(36.2021, 37.1343) == "SY"  # Aleppo
    assert country_at(-1.2833, 36.8167) == "KE"  # Nairobi
    assert country_at(0.0, -30.0) is None  # the Atlantic
