"""The caller's language: Kazakh, Russian or English, negotiated from Accept-Language.

The messages themselves are in the error catalogue (rules/errors.py).
"""

from __future__ import annotations

from rules.errors import DEFAULT_LANGUAGE, LANGUAGES, render

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "negotiate_language", "render"]


def negotiate_language(accept_language: str | None) -> str:
    """Pick kk, ru or en from an Accept-Language header by quality; Russian by default."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best: tuple[float, str] | None = None
    for part in accept_language.split(",")[:20]:
        tag, _, q = part.strip().partition(";q=")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        try:
            quality = float(q) if q else 1.0
        except ValueError:
            continue
        if best is None or quality > best[0]:
            best = (quality, primary)
    return best[1] if best else DEFAULT_LANGUAGE
