"""Text from outside reaches Markdown as exactly that text: no link, image, HTML or formatting of a stranger's.

markdown-it-py parses CommonMark as Streamlit's renderer does; GFM's literal autolinks (which resolve after
backslash escapes, so only a code span stops them) and emoji shortcodes are checked on the text it leaves.
The browser test (test_e2e_security.py) checks the same in Streamlit itself.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from core.i18n import TABLES, Message, message, t, t_markdown
from core.i18n.markdown import Markdown, escape_markdown

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# remark-gfm's literal autolinks (mdast-util-gfm-autolink-literal), Streamlit's emoji and icon shortcodes, math.
TEXT_THAT_BECOMES_MORE = re.compile(r"https?://|www\.|[-.\w+]+@[-\w]+\.|:[\w+-]+:|:material/|\$", re.IGNORECASE)
PAYLOADS = {
    "backtick link and image": "x` **[Log in](https://evil.example/login)** ![t](https://evil.example/t.png) `",
    "double backticks": "x`` [a](https://evil.example/d) ``",
    "autolink": "<https://evil.example/a>",
    "raw html": "<img src=https://evil.example/h.png>",
    "javascript link": "[x](javascript:alert(1))",
    "reference link": "[x][r]\n\n[r]: https://evil.example/r",
    "bare url": "see https://evil.example/b and www.evil.example and x@evil.example",
    "emphasis and emoji": "**bold** _it_ ~~gone~~ :smile: $x^2$ :red[red]",
    "block start": "# heading",
    "backslashes": "\\`x\\` \\[a](https://evil.example)",
}
MARKDOWN_CHARS = st.sampled_from([*"`*_[]()<>!&~$|@:/\\#-+=. \n\tahw1é", "https://", "www.", "](", "javascript:"])
TEXTS = st.one_of(st.text(), st.lists(MARKDOWN_CHARS, max_size=30).map("".join))


def _inline(markdown: str) -> list[Token]:
    """The inline tokens of ``markdown``, which must be one paragraph (or nothing)."""
    blocks = PARSER.parse(markdown)
    assert [b.type for b in blocks] in ([], ["paragraph_open", "inline", "paragraph_close"]), markdown
    return blocks[1].children or [] if blocks else []


def _shown(tokens: list[Token]) -> str:
    return "".join(token.content for token in tokens)


def _as_code_span_shows(text: str) -> str:
    """``text`` as Markdown shows it: line breaks inside a code span are spaces."""
    return re.sub(r"\r\n?|\n", " ", text)


def _assert_inert(tokens: list[Token]) -> None:
    assert {token.type for token in tokens} <= {"text", "code_inline"}, [token.type for token in tokens]
    for token in tokens:
        if token.type == "text":
            assert not TEXT_THAT_BECOMES_MORE.search(token.content), token.content


@given(TEXTS)
@example("")
@example("1,000")
@example("` ")
@example(" x ")
@example("   ")
@example("\\")
def test_escaped_text_shows_exactly_the_text_and_nothing_else(text):
    text = text.replace("\x00", "")  # Markdown replaces NUL by U+FFFD
    tokens = _inline(f"a {escape_markdown(text)} b")
    _assert_inert(tokens)
    assert _shown(tokens) == f"a {_as_code_span_shows(text)} b"


@pytest.mark.parametrize("text", ["1,000", "0.001", "-3", "1e-05", "2 h 5 min", "2시간 5분", "moons", "Adam", "cuda:0",
                                  "'sgd'", "ceil(800 / 32)", "8, 64", "50%", "≈ 1.2 × 10³"])
def test_plain_values_are_left_as_they_are(text):
    assert escape_markdown(text) == text


@pytest.mark.parametrize("text", ["www.evil.example", "- item", "1. item", "# title", "---", " lead", "a\nb",
                                  "http://x", ":smile:", "a_b_c", "x*y", "a\u00a0b"])
def test_values_that_could_mean_something_become_code(text):
    assert escape_markdown(text).startswith("`")


def test_escaping_twice_is_escaping_once():
    once = escape_markdown(PAYLOADS["backtick link and image"])
    assert escape_markdown(once) == once and isinstance(once, Markdown)


def _fill(template: str, payload: str) -> dict[str, object]:
    """Every placeholder of ``template``: the payload, or 1 where a format spec wants a number."""
    values: dict[str, object] = {}
    for _, field, spec, _ in string.Formatter().parse(template):
        if field:
            name = field.split(".")[0].split("[")[0]
            text = not spec or spec.startswith(("plural:", "@"))
            values[name] = payload if text and values.get(name, payload) == payload else 1
    return values


def _structure(markdown: str) -> list[str]:
    """Every token of ``markdown`` but its text, e.g. a paragraph with a link in bold."""
    tokens = [token for block in PARSER.parse(markdown) for token in [block, *(block.children or [])]]
    return [token.type for token in tokens if token.type not in ("inline", "text", "code_inline")]


@pytest.mark.parametrize("lang", sorted(TABLES))
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_no_message_in_either_language_lets_a_value_link_embed_or_format(lang, payload):
    for key, template in TABLES[lang].items():
        values = _fill(template, payload)
        shown = t_markdown(key, lang, **values)
        assert _structure(shown) == _structure(t(key, lang, **_fill(template, "value"))), (key, shown)
        for token in (token for block in PARSER.parse(shown) for token in block.children or []):
            if token.type == "text":
                assert not TEXT_THAT_BECOMES_MORE.search(token.content) or "evil" not in token.content, (key, shown)
                assert not re.search(r"evil|javascript:|:smile:|\$x", token.content), (key, shown)


@pytest.mark.parametrize("lang", sorted(TABLES))
@given(raw=TEXTS)
def test_a_refused_url_value_is_shown_whole_inside_its_code_span(lang, raw):
    raw = raw.replace("\x00", "")
    tokens = _inline(t_markdown("param.malformed", lang, name="n", raw=raw, used=10))
    _assert_inert(tokens)
    assert f"n={_as_code_span_shows(raw)}" in [token.content for token in tokens if token.type == "code_inline"]


def test_a_nested_message_keeps_its_markdown_and_escapes_its_values_once():
    failed = message("runner.failed", error=message("error.exception", type="OSError", text="[a](https://evil.example)"))
    assert failed.markdown("en") == "Training failed: OSError: `[a](https://evil.example)`"
    assert failed.text("en") == "Training failed: OSError: [a](https://evil.example)"  # plain text: figures, logs
    assert t_markdown("runner.failed", "en", error=failed.markdown("en")) == (
        "Training failed: Training failed: OSError: `[a](https://evil.example)`")


def test_our_own_markdown_and_numbers_are_not_escaped():
    cannot = "These settings cannot be trained: "
    assert t_markdown("calc.invalid", "en", message=Markdown("**x_y**")) == cannot + "**x_y**"
    assert t_markdown("calc.invalid", "en", message=Message("calc.regime")) == cannot + t_markdown("calc.regime")
    numbers = {"small": 1000, "big": 2000}
    assert t_markdown("compare.bsimple_help", "en", **numbers) == t("compare.bsimple_help", "en", **numbers)


def test_a_korean_particle_follows_the_value_it_escapes():
    assert t_markdown("rec.inside", "ko", batch="5`0", low=32, high=256).startswith("배치 사이즈 ``5`0``은 ")
