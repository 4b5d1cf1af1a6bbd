"""Both string tables are complete, and pages take every user-facing text from them."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# Streamlit calls that render their text as Markdown (and the pages' own wrapper of st.info/st.warning/...).
MARKDOWN_CALLS = {"title", "header", "subheader", "markdown", "caption", "write", "warning", "info", "error",
                  "success", "toast", "progress", "status_alert"}


def _unescaped_text(node: ast.AST) -> list[ast.AST]:
    """Calls in ``node`` that make text no one escaped: str(), repr(), t(), .message(), .text(); tr() and say()
    escape what they are given, so their arguments are not searched."""
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in ("tr", "say"):
            return []
        if name in ("str", "repr", "t", "message", "text"):
            return [node]
    return [found for child in ast.iter_child_nodes(node) for found in _unescaped_text(child)]


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_text_from_outside_reaches_markdown_only_through_tr_or_say(path):
    source = path.read_text()
    offenders = []
    for node in ast.walk(ast.parse(source)):
        name = node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else (
            getattr(node.func, "id", "") if isinstance(node, ast.Call) else "")
        if name in MARKDOWN_CALLS:
            assert isinstance(node, ast.Call)
            for argument in [*node.args, *(kw.value for kw in node.keywords if kw.arg in {"body", "text", "help"})]:
                offenders += [f"line {found.lineno}: {ast.get_source_segment(source, found)}"
                              for found in _unescaped_text(argument)]
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
    from core.maths.catalog import DATASETS, DEVICES, MODELS, OPTIMIZERS
    from core.maths.lr import DECAYS, RULES

    keys = [f"dataset.{d}.{part}" for d in DATASETS for part in ("title", "description")]
    keys += [f"model.{m}" for m in MODELS] + [f"optimizer.{o}" for o in OPTIMIZERS] + [f"device.{d}" for d in DEVICES]
    keys += [f"train.rule.{r}" for r in RULES] + [f"train.decay.{d}" for d in DECAYS]
    for table in TABLES.values():
        assert [key for key in keys if key not in table] == []


# "Seed" is the random seed and nothing else: the document the app grew from is "the lesson" (강의).
RANDOM_SEED_WORDING = re.compile(r"random seed|the same seed|one seed|seeded|seeds the|\bseed,|^seed$", re.IGNORECASE)


def _calls_the_lesson_the_seed(text: str) -> bool:
    return "seed" in RANDOM_SEED_WORDING.sub("", text.strip()).lower()


@pytest.mark.parametrize(
    ("text", "offends"),
    [("check the seed's claims", True), ("the seed lesson", True), ("Seed", False),
     ("the same seed draws the same paths", False), ("One seed, one data set", False)],
)
def test_the_seed_check_tells_the_random_seed_from_the_lesson(text, offends):
    assert _calls_the_lesson_the_seed(text) is offends


def test_no_user_visible_text_calls_the_lesson_the_seed():
    offenders = [f"en {key}: {text!r}" for key, text in TABLES["en"].items() if _calls_the_lesson_the_seed(text)]
    offenders += [f"ko {key}: {text!r}" for key, text in TABLES["ko"].items() if re.search("시드 (?:문서|강의)", text)]
    assert offenders == []


def test_the_lessons_texts_say_lesson_not_seed():
    assert "the lesson's claims" in t("compare.intro", "en")
    assert "the lesson's two tips" in t("lr.intro", "en") and "강의의 두 가지 팁" in t("lr.intro", "ko")
    assert t("compare.verdicts", "en") == "The lesson's claims, checked"


_COUNT_WORDS = r"(updates|epochs|samples|iterations|batches|runs|rows|values|devices|sizes|times)"


@pytest.mark.parametrize("key", sorted(TABLES["en"]))
def test_english_counts_of_one_are_singular(key):
    text = TABLES["en"][key]
    names = {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
    one = t(key, "en", **dict.fromkeys(names, 1))
    many = t(key, "en", **dict.fromkeys(names, 1000))
    assert not re.search(rf"(?<![\d.,])1 (\*\*)?(warm-up |weight |full )?{_COUNT_WORDS}\b(?!/s)", one)
    assert "1,000 update " not in many and "1,000 update." not in many


@given(count=st.integers(0, 10**9))
def test_plural_forms_follow_the_count(count):
    text = t("formula.sentence", "en", division="x", iterations=count, updates=count)
    assert text.endswith(f"{count} update = 1 epoch" if count == 1 else f"{count} updates = 1 epoch")
    assert f"{count}" in t("formula.sentence", "ko", division="x", iterations=count, updates=count)


def test_korean_new_messages_put_no_alternating_particle_after_a_number():
    for key in ("param.adjusted.batch_size", "param.adjusted.batch_sizes", "param.malformed.batch_sizes",
                "param.ambiguous", "param.malformed", "param.out_of_range", "input.refused", "calc.full_batch",
                "note.full_batch", "lang.unknown"):
        assert not re.search(r"\}(은|는|이|가|을|를|과|와|으로|로)\(|\}(은\(는\)|이\(가\)|을\(를\))", TABLES["ko"][key])
        assert "(는)" not in TABLES["ko"][key] and "(가)" not in TABLES["ko"][key] and "(를)" not in TABLES["ko"][key]


# ---- sentences core produces travel as translatable values ---------------------------------------------------

def test_a_message_renders_its_nested_messages_in_the_same_language():
    from core.i18n import Message, message

    failed = message("runner.failed", error=message("error.data_rows", rows=7, n=100))
    assert failed.text("en") == "Training failed: The data has 7 rows but the config asks for 100."
    assert failed.text("ko") == "학습에 실패했습니다: 데이터의 행 수(7)가 설정의 샘플 수(100)와 다릅니다."
    assert str(failed) == failed.text("en") and failed == Message("runner.failed", failed.values)


def test_an_errors_message_is_its_own_explanation_or_its_type_and_text():
    from core.i18n import error_message
    from core.maths.batching import SettingsError

    refused = error_message(SettingsError("unknown_choice", name="optimizer", value="'rmsprop'", choices="sgd, adam"))
    assert refused.text("en") == "Unknown optimizer 'rmsprop'; choose one of sgd, adam."
    assert refused.text("ko") == "알 수 없는 옵티마이저: 'rmsprop'. sgd, adam 중에서 고르세요."
    crashed = error_message(RuntimeError("CUDA error: out of memory"))
    assert crashed.text("en") == crashed.text("ko") == "RuntimeError: CUDA error: out of memory"


@pytest.mark.parametrize("key", sorted(TABLES["ko"]))
def test_korean_texts_pick_their_particles_instead_of_writing_both(key):
    assert not any(pair in TABLES["ko"][key] for pair in ("은(는)", "는(은)", "이(가)", "가(이)", "을(를)", "를(을)",
                                                           "과(와)", "와(과)", "(으)로"))


@pytest.mark.parametrize(("text", "particle", "expected"), [
    ("50", "은", "50은"), ("32", "은", "32는"), ("1,000", "이", "1,000이"), ("4", "을", "4를"), ("0", "은", "0은"),
    ("0.001", "을", "0.001을"), ("256", "과", "256과"), ("학습률", "은", "학습률은"), ("배치", "은", "배치는"),
    ("모멘텀", "으로", "모멘텀으로"), ("서울", "으로", "서울로"), ("SGD", "이", "SGD가"), ("Adam", "이", "Adam이"),
])
def test_korean_particles_follow_the_sound_of_the_word_before(text, particle, expected):
    from core.i18n import korean_particle

    assert text + korean_particle(text, particle) == expected


def test_korean_refusal_reads_with_the_right_particle_for_the_number():
    assert t("rec.inside", "ko", batch=50, low=32, high=256).startswith("배치 사이즈 50은 ")
    assert t("rec.inside", "ko", batch=32, low=32, high=256).startswith("배치 사이즈 32는 ")


def test_a_crafted_link_shows_its_language_and_values_escaped():
    from core.i18n import t_markdown
    from tests.pages import open_page

    payload = "x` **[Log in](https://evil.example/login)** ![t](https://evil.example/t.png) `"
    at = open_page(lang=payload, n=payload)
    assert t_markdown("lang.unknown", "en", requested=payload[:20]) in [info.value for info in at.info]
    assert any(f"`` n={payload} ``" in warning.value for warning in at.warning)
