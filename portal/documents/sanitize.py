"""Rendering stored copies safely: everything scraped is untrusted.

Only a small set of text-level tags survives; no script, style, event handler, form or embedded
object. Links stay readable but become inert text with the target shown beside them.
"""

from __future__ import annotations

import re

import nh3

_HEADING = re.compile(r"<(/?)h([1-6])>")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "article",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def _demote(match: re.Match[str]) -> str:
    return f"<{match.group(1)}h{min(int(match.group(2)) + 2, 6)}>"


def sanitize_html(raw: str) -> str:
    """Clean HTML: allowed tags only, links to http(s) only, marked external and without referrer.

    Headings are moved down two levels so that the copy sits under the portal's own headings.
    """
    return _HEADING.sub(_demote, _clean(raw))


def _clean(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow external",
        strip_comments=True,
        clean_content_tags={"script", "style", "template", "noscript", "svg", "math", "iframe", "object"},
    )


def decode(content: bytes, content_type: str) -> str:
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return content.decode(charset, errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")
