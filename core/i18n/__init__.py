"""User-facing text in Korean and English: one string table per language, looked up by key.

>>> t("metric.total_updates", "en")
'Total updates'

Text shown as Markdown comes from ``t_markdown``, which escapes every value that is not ours (see ``markdown``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from core.i18n import en, ko
from core.i18n.markdown import Markdown, resolve_verbatim, verbatim

Lang = Literal["en", "ko"]
LANGS: tuple[Lang, ...] = ("en", "ko")
DEFAULT_LANG: Lang = "en"
TABLES: dict[Lang, dict[str, str]] = {"en": en.STRINGS, "ko": ko.STRINGS}


def t(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    # Always format, so the tables write literal braces (Plotly hover templates) as {{ }}.
    return _FORMATTER.format(_template(key, lang), **values)


def _template(key: str, lang: str) -> str:
    """The table text for ``key`` in ``lang`` (English where the language is unknown)."""
    table = TABLES.get(lang, TABLES[DEFAULT_LANG])  # type: ignore[call-overload]
    return table[key]  # type: ignore[no-any-return]


def t_markdown(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> Markdown:
    """``t`` for text shown as Markdown: each value from outside is escaped once, by ``escape_markdown``.

    Ours are kept: numbers, ``Markdown`` (an earlier ``t_markdown``) and a ``Message``, rendered here the same way
    (its table text kept, its own values escaped). Any other value (a str, an exception's text) is from outside.

    >>> t_markdown("param.malformed", "en", name="n", raw="x` [log in](https://evil.example)", used=1000)
    "The link's ``n=x` [log in](https://evil.example)`` is not a valid value, so 1000 is used instead."
    >>> t_markdown("runner.failed", "en", error=message("error.exception", type="OSError", text="<img src=x>"))
    'Training failed: OSError: `<img src=x>`'
    """
    ours = {name: value.markdown(lang) if isinstance(value, Message) else value for name, value in values.items()}
    return resolve_verbatim(_MARKDOWN_FORMATTER.format(_template(key, lang), **ours))


class _Formatter(string.Formatter):
    """``str.format`` plus English plurals and Korean particles.

    ``{n:plural:update|updates}`` is "update" when n is 1, else "updates"; ``{batch:,@은}`` is the value followed
    by 은 or 는, whichever its last sound takes ("50은", "32는"), and likewise 이/가, 을/를, 과/와, 으로/로.
    With ``markdown``, a value from outside (not a number, not ``Markdown``) is marked for ``resolve_verbatim``.
    """

    def __init__(self, markdown: bool = False) -> None:
        super().__init__()
        self.markdown = markdown

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            one, _, other = format_spec.removeprefix("plural:").partition("|")
            return one if _is_one(value) else other
        spec, at, particle = format_spec.partition("@")
        text: str = super().format_field(value, spec)
        shown = verbatim(text) if self.markdown and not isinstance(value, (Markdown, int, float)) else text
        return shown + korean_particle(text, particle) if at else shown


def _is_one(value: object) -> bool:
    try:
        return float(str(value).replace(",", "")) == 1
    except ValueError:
        return False


_FORMATTER = _Formatter()
_MARKDOWN_FORMATTER = _Formatter(markdown=True)

# (after a final consonant, after a vowel) for each particle, found by either form.
_PARTICLES = {form: pair for pair in (("은", "는"), ("이", "가"), ("을", "를"), ("과", "와"), ("으로", "로"))
              for form in pair}
# Final consonant of each digit read in Sino-Korean (영 일 이 삼 사 오 육 칠 팔 구): 0 none, 1 ㄹ, 2 other.
_DIGIT_FINAL = {"0": 2, "1": 1, "2": 0, "3": 2, "4": 0, "5": 0, "6": 2, "7": 1, "8": 1, "9": 0}


def _final_consonant(text: str) -> int | None:
    """How ``text`` ends when read aloud in Korean: 0 on a vowel, 1 on ㄹ, 2 on another consonant; None if unknown."""
    word = text.rstrip(" )]'\"*")
    if not word:
        return None
    last = word[-1]
    if "가" <= last <= "힣":
        final = (ord(last) - ord("가")) % 28
        return 0 if final == 0 else 1 if final == 8 else 2
    if last.isdigit():
        digits = word.replace(",", "")
        if "." in digits or last != "0" or digits.strip("0") == "":
            return _DIGIT_FINAL[last]  # 0.5 reads 영점오; 30 reads 삼십, but 0 alone reads 영
        zeros = len(digits) - len(digits.rstrip("0"))
        return 0 if zeros >= 12 else 2  # 십, 백, 천, 만, 억 end on a consonant; 조 does not
    if last.isascii() and last.isalpha():
        return 1 if last in "lL" else 2 if last in "mnMN" else 0  # 엘 / 엠, 엔 / the other letters' names
    return None


def korean_particle(text: str, particle: str) -> str:
    """The form of ``particle`` (given as either form, e.g. 은 or 는) that follows ``text`` when read aloud.

    >>> [n + korean_particle(n, "은") for n in ("50", "32", "1,000", "학습률", "Adam")]
    ['50은', '32는', '1,000은', '학습률은', 'Adam은']
    >>> "서울" + korean_particle("서울", "으로"), "배치" + korean_particle("배치", "이")
    ('서울로', '배치가')
    """
    after_consonant, after_vowel = _PARTICLES[particle]
    final = _final_consonant(text)
    if final is None:
        return f"{after_consonant}({after_vowel})" if after_consonant != "으로" else "(으)로"
    if after_consonant == "으로":
        return "로" if final in (0, 1) else "으로"
    return after_vowel if final == 0 else after_consonant


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

    def markdown(self, lang: str = DEFAULT_LANG) -> Markdown:
        """The sentence in ``lang`` as Markdown, its values from outside escaped (``t_markdown``)."""
        return t_markdown(self.key, lang, **self.values)

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
