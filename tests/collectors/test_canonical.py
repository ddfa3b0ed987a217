"""Canonical URLs."""

from __future__ import annotations

import pytest

from collectors.canonical import canonical_url, is_tracking_parameter


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/./b/../c", "http://example.com/a/c"),
        ("https://example.org:443", "https://example.org/"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://example.org/p#section-2", "https://example.org/p"),
        ("https://example.org/p?utm_source=rss&utm_medium=feed&id=7", "https://example.org/p?id=7"),
        ("https://example.org/p?b=2&a=1&a=0", "https://example.org/p?a=0&a=1&b=2"),
        (
            "https://example.org/p?fbclid=x&gclid=y&mc_cid=1&mc_eid=2&ocid=3&cmpid=4&at_medium=5",
            "https://example.org/p",
        ),
        ("https://example.org/%7Euser/%2fslash", "https://example.org/~user/%2Fslash"),
        ("https://example.org/dir/", "https://example.org/dir/"),
        ("https://user:secret@example.org/x", "https://example.org/x"),
        ("https://BÜCHER.example/x", "https://xn--bcher-kva.example/x"),
        ("https://example.org/a b", "https://example.org/a%20b"),
        ("https://example.org/p?q=", "https://example.org/p?q="),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_is_idempotent() -> None:
    once = canonical_url("HTTPS://Example.org:443/a/../b?z=1&utm_campaign=x&a=%7e#top")
    assert canonical_url(once) == once


def test_tracking_parameter_names() -> None:
    assert is_tracking_parameter("UTM_Source")
    assert is_tracking_parameter("at_campaign")
    assert not is_tracking_parameter("id")
    assert not is_tracking_parameter("page")


def test_bad_port_raises() -> None:
    with pytest.raises(ValueError):
        canonical_url("http://example.org:notaport/")
