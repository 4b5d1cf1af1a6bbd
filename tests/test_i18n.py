"""Both string tables are complete, and pages take every user-facing text from them."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from core.i18n import TABLES, fmt_duration, resolve_lang, t

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
# Streamlit calls whose first argument (or label/body keyword) a user reads.
TEXT_CALLS = {
    "title", "header", "subheader", "markdown", "caption", "write", "text", "button", "metric", "warning", "info",
    "error", "success", "checkbox", "toggle", "radio", "slider", "select_slider", "number_input", "text_input",
    "selectbox", "multiselect", "expander", "tabs", "download_button", "link_button", "page_link", "toast",
    "progress", "status", "segmented_control", "pills", "popover", "Page",
}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_both_languages():
    assert set(TABLES["en"]) == set(TABLES["ko"])


@pytest.mark.parametrize("key", sorted(TABLES["en"]))
def test_translations_use_the_same_placeholders(key):
    assert _placeholders(TABLES["en"][key]) == _placeholders(TABLES["ko"][key])


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pages_contain_no_literal_user_facing_text(path):
    offenders = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in TEXT_CALLS:
            continue
        candidates = node.args[:1] + [kw.value for kw in node.keywords if kw.arg in {"label", "body", "title", "help"}]
        for candidate in candidates:
            text = _literal_text(candidate)
            if text and any(ch.isalpha() for ch in text.replace("pages/", "").replace(".py", "")):
                if not text.endswith(".py"):
                    offenders.append(f"line {node.lineno}: {text!r}")
    assert offenders == []


@pytest.mark.parametrize(
    ("requested", "locale", "expected"),
    [("ko", "en-US", "ko"), ("EN", "ko-KR", "en"), (None, "ko-KR", "ko"), ("fr", "ko_KR", "ko"), (None, "de-DE", "en"),
     (None, None, "en")],
)
def test_language_comes_from_the_url_then_the_browser(requested, locale, expected):
    assert resolve_lang(requested, locale) == expected


@pytest.mark.parametrize(
    ("seconds", "en", "ko"),
    [
        (0.25, "250 ms", "250밀리초"),
        (4.0, "4 s", "4초"),
        (3_725, "1 h 2 min", "1시간 2분"),
        (90_000, "1 d 1 h", "1일 1시간"),
    ],
)
def test_durations_read_naturally_in_both_languages(seconds, en, ko):
    assert (fmt_duration(seconds, "en"), fmt_duration(seconds, "ko")) == (en, ko)


def test_unknown_language_falls_back_to_english():
    assert t("metric.total_updates", "fr") == "Total updates"


def test_every_choice_the_pages_offer_has_a_label_in_both_languages():
    from core.datasets import DATASETS
    from core.engine import DEVICES, OPTIMIZERS
    from core.models import MODELS
    from core.schedules import DECAYS, RULES

    keys = [f"dataset.{d}.{part}" for d in DATASETS for part in ("title", "description")]
    keys += [f"model.{m}" for m in MODELS] + [f"optimizer.{o}" for o in OPTIMIZERS] + [f"device.{d}" for d in DEVICES]
    keys += [f"train.rule.{r}" for r in RULES] + [f"train.decay.{d}" for d in DECAYS]
    for table in TABLES.values():
        assert [key for key in keys if key not in table] == []
