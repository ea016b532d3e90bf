"""Safe rich text: the one sanitizer for HTML that people write (recommendations, inputs,
stories). nh3 (Rust's ammonia) keeps an allow-list of tags and attributes and drops
everything else, scripts and event handlers included; links keep only http(s) and mailto
and open with ``rel="noopener noreferrer nofollow"``."""

import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "blockquote", "a", "h3", "h4"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_html(html: str) -> str:
    """The HTML with every tag, attribute and URL scheme outside the allow-list removed."""
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(html: str) -> str:
    """The words of sanitized HTML without markup (for diffs, excerpts and e-mails)."""
    return strip_tags(html or "").strip()
