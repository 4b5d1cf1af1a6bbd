"""Query-string parameters: parse a shared URL into checked values, and values back into a URL.

Anything malformed or out of range falls back to the default and is reported,
so a page can say what it ignored instead of failing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, Generic, Literal, TypeVar

Kind = Literal["int", "float", "bool", "choice"]


# adjusted: the link did not set this value, and its default was changed to fit a value the link did set.
Reason = Literal["malformed", "out_of_range", "conflict", "ambiguous", "adjusted"]


S = TypeVar("S")  # a page's settings dataclass


_TRUE = {"true", "1", "yes", "on"}


_FALSE = {"false", "0", "no", "off"}


# "1,000" and "10,000,000" are thousands separators; "5,0" or "1,00" are not (a list? a decimal comma?).
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+")


class AmbiguousValue(ValueError):
    """A number whose commas are not thousands separators: "5,0" could mean 5.0, 50 or the list 5, 0."""


@dataclass(frozen=True)
class Param:
    """One URL parameter: its public name, the settings field it fills, type, default and range or choices.

    The URL keeps short public names (``n``, ``lr``, ``val_split``); the code has one name per quantity
    (``n_samples``, ``learning_rate``, ``validation_split``), which ``setting`` gives where the two differ.
    """

    name: str
    kind: Kind
    default: object
    low: float | None = None
    high: float | None = None
    high_exclusive: bool = False
    choices: tuple[str, ...] = field(default_factory=tuple)
    setting: str = ""  # the settings field this parameter fills; "" when it is ``name``
    digits: int = 6  # decimal places a float keeps in the URL (Adam's epsilon, 1e-8, needs more)

    @property
    def attribute(self) -> str:
        """The name of the settings field this parameter fills."""
        return self.setting or self.name

    @property
    def bounds(self) -> tuple[Any, Any]:
        """The range as a widget takes it: whole numbers for an int parameter."""
        if self.low is None or self.high is None:
            raise ValueError(f"parameter {self.name} has no range")
        return (int(self.low), int(self.high)) if self.kind == "int" else (float(self.low), float(self.high))


@dataclass(frozen=True)
class ParamProblem:
    """A URL value that was not used, why, and what was used instead."""

    name: str
    raw: str
    reason: Reason
    used: object
    details: tuple[tuple[str, object], ...] = ()  # extra values the message names, e.g. (("train", 80),)


def _first(raw: str | Sequence[str]) -> str:
    return raw if isinstance(raw, str) else (raw[-1] if raw else "")


def _convert(spec: Param, text: str) -> object:
    """The typed value of ``text``; raises ValueError when it is not of the parameter's type."""
    text = text.strip()
    if spec.kind == "int":
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise AmbiguousValue(text)
            text = text.replace(",", "")
        number = float(text.replace("_", ""))
        if not number.is_integer():
            raise ValueError(text)
        return int(number)
    if spec.kind == "float":
        number = float(text)
        if math.isnan(number):
            raise ValueError(text)
        return number
    if spec.kind == "bool":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(text)
    lowered = text.lower()
    if lowered not in spec.choices:
        raise ValueError(text)
    return lowered


def _in_range(spec: Param, value: object) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    if spec.low is not None and value < spec.low:
        return False
    if spec.high is not None and (value >= spec.high if spec.high_exclusive else value > spec.high):
        return False
    return not math.isinf(value)


def parse_params(
    specs: Sequence[Param], query: Mapping[str, str | Sequence[str]]
) -> tuple[dict[str, object], list[ParamProblem]]:
    """Values for every spec by settings field (URL value when valid, else default) and the problems found."""
    values: dict[str, object] = {}
    problems: list[ParamProblem] = []
    for spec in specs:
        values[spec.attribute] = spec.default
        if spec.name not in query:
            continue
        raw = _first(query[spec.name])
        try:
            value = _convert(spec, raw)
        except AmbiguousValue:
            problems.append(ParamProblem(spec.name, raw, "ambiguous", spec.default))
            continue
        except (ValueError, OverflowError):
            problems.append(ParamProblem(spec.name, raw, "malformed", spec.default))
            continue
        if not _in_range(spec, value):
            problems.append(ParamProblem(spec.name, raw, "out_of_range", spec.default))
            continue
        values[spec.attribute] = value
    return values, problems


def format_value(value: object, digits: int = 6) -> str:
    """A value as it is written in a URL (booleans as true/false, floats to ``digits`` places, without noise)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, digits))
    return str(value)


def to_query(specs: Sequence[Param], values: Mapping[str, object]) -> dict[str, str]:
    """The URL query for ``values`` (by settings field), one entry per spec, in spec order."""
    return {spec.name: format_value(values[spec.attribute], spec.digits) for spec in specs}


@dataclass(frozen=True)
class Schema(Generic[S]):
    """One page's settings, like TF Playground's ``State.PROPS`` but typed: a settings dataclass and its URL table.

    Built once per page, it checks that every parameter fills a field of ``settings`` and defaults to that
    field's default (or to its value in ``defaults``), so the dataclass and the table cannot drift apart; URL
    parsing, URL writing, widget keys and links all read it. A field that is None is left out of the URL.
    """

    settings: type[S]
    params: tuple[Param, ...]
    defaults: S | None = None  # what the page opens on, when not the dataclass's own defaults

    def __post_init__(self) -> None:
        defaults = {f.name: f.default if self.defaults is None else getattr(self.defaults, f.name)
                    for f in fields(self.settings)}  # type: ignore[arg-type]
        for param in self.params:
            if param.attribute not in defaults:
                raise TypeError(f"{self.settings.__name__} has no field {param.attribute} for parameter {param.name}")
            default = defaults[param.attribute]
            if default is not MISSING and default != param.default:
                raise ValueError(f"parameter {param.name} defaults to {param.default!r}, its field to {default!r}")
        if len(set(self.names)) != len(self.params):
            raise ValueError(f"{self.settings.__name__}'s parameters repeat a name")

    @property
    def names(self) -> tuple[str, ...]:
        """The URL names, in table order."""
        return tuple(param.name for param in self.params)

    def param(self, name: str) -> Param:
        """The parameter with URL name ``name``."""
        return next(param for param in self.params if param.name == name)

    def parse(self, query: Mapping[str, str | Sequence[str]], base: S | None = None) -> tuple[S, list[ParamProblem]]:
        """Settings from a URL query and the problems found; fields outside the table come from ``base``."""
        values, problems = parse_params(self.params, query)
        start = base if base is not None else self.defaults if self.defaults is not None else self.settings()
        return replace(start, **values), problems  # type: ignore[type-var]

    def to_query(self, settings: S) -> dict[str, str]:
        """The URL query of ``settings``, in table order; fields that are None are left out."""
        values = {param.attribute: getattr(settings, param.attribute) for param in self.params}
        return to_query([param for param in self.params if values[param.attribute] is not None], values)
