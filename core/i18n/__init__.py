"""User-facing text in Korean and English: one string table per language, looked up by key.

>>> t("metric.total_updates", "en")
'Total updates'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    return _FORMATTER.format(text, **values)


class _Formatter(string.Formatter):
    """``str.format`` plus English plurals: ``{n:plural:update|updates}`` is "update" when n is 1, else "updates"."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            one, _, other = format_spec.removeprefix("plural:").partition("|")
            return one if _is_one(value) else other
        return super().format_field(value, format_spec)  # type: ignore[no-any-return]


def _is_one(value: object) -> bool:
    try:
        return float(str(value).replace(",", "")) == 1
    except ValueError:
        return False


_FORMATTER = _Formatter()


@dataclass(frozen=True)
class Message:
    """A sentence core produced, kept as a key and its values so that each page says it in its own language.

    A value that is itself a ``Message`` is rendered in the same language; other values keep their type, so
    format specs such as ``{n:,}`` still apply. ``str()`` gives the English text (logs, benchmarks).

    >>> Message("metric.total_updates").text("ko")
    '총 가중치 업데이트 수'
    """

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The sentence in ``lang``."""
        return t(self.key, lang, **{name: render(value, lang) for name, value in self.values.items()})

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


def message(key: str, /, **values: object) -> Message:
    """``Message(key, values)`` with the values as keywords."""
    return Message(key, values)


def render(value: object, lang: str = DEFAULT_LANG) -> object:
    """A ``Message`` as its text in ``lang``; any other value unchanged (None stays None)."""
    return value.text(lang) if isinstance(value, Message) else value


def error_message(error: BaseException) -> Message:
    """What went wrong, translatable: a settings error's own explanation, else the exception's type and text.

    The exception's own text (from Python or torch) stays as it is: it is technical detail, not a sentence of ours.
    """
    as_message = getattr(error, "as_message", None)
    if callable(as_message):
        explained = as_message()
        if isinstance(explained, Message):
            return explained
    return message("error.exception", type=type(error).__name__, text=str(error))


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
