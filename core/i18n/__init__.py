"""User-facing text in Korean and English: one string table per language, looked up by key.

>>> t("metric.total_updates", "en")
'Total updates'
"""

from __future__ import annotations

from typing import Literal

from core.i18n import en, ko

Lang = Literal["en", "ko"]
LANGS: tuple[Lang, ...] = ("en", "ko")
DEFAULT_LANG: Lang = "en"
TABLES: dict[Lang, dict[str, str]] = {"en": en.STRINGS, "ko": ko.STRINGS}


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    table = TABLES.get(lang, TABLES[DEFAULT_LANG])  # type: ignore[call-overload]
    # Always format, so the tables write literal braces (Plotly hover templates) as {{ }}.
    text: str = table[key]
    return text.format(**values)


def resolve_lang(requested: str | None, browser_locale: str | None = None) -> Lang:
    """The language to show: the URL's ``lang`` if valid, else the browser's, else English."""
    for candidate in (requested, browser_locale):
        if candidate:
            prefix = candidate.strip().lower().replace("_", "-").split("-")[0]
            if prefix in LANGS:
                return prefix
    return DEFAULT_LANG


def fmt_int(value: int, lang: str = DEFAULT_LANG) -> str:
    """A whole number with thousands separators (the same comma grouping in both languages)."""
    return f"{value:,}"


def fmt_float(value: float, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and no trailing zeros."""
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_duration(seconds: float, lang: str = DEFAULT_LANG) -> str:
    """A duration in the largest sensible units, e.g. '2 h 5 min' or '2시간 5분'."""
    units = [("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)]
    if seconds < 1:
        return t("unit.ms", lang, value=fmt_float(seconds * 1000, 0 if seconds >= 0.01 else 1))
    parts: list[str] = []
    remaining = seconds
    for name, size in units:
        if remaining >= size or (name == "s" and not parts):
            count = int(remaining // size) if name != "s" else round(remaining)
            if name == "s" and not parts and seconds < 60:
                return t("unit.s", lang, value=fmt_float(seconds, 1))
            parts.append(t(f"unit.{name}", lang, value=count))
            remaining -= count * size
        if len(parts) == 2:
            break
    return " ".join(parts)
