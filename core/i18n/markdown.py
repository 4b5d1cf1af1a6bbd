"""Text from outside (a URL, a widget, a file, an exception) shown in Markdown as exactly that text, and no more.

Streamlit renders Markdown with GFM, and GFM turns a bare ``https://…``, ``www.…`` or ``name@host`` into a link
even when every character of it is backslash-escaped: its autolink step runs on the text after the escapes are
resolved. A code span is the one inline construct inside which nothing is parsed (no link, image, autolink, HTML,
emphasis, math or emoji), so a value that could mean anything to Markdown is shown as one, fenced by more
backticks than any run inside it. A value that cannot (a number, a word) is left as it is.

>>> escape_markdown("1,000")
'1,000'
>>> escape_markdown("[log in](https://evil.example)")
'`[log in](https://evil.example)`'
>>> escape_markdown("a`b")
'``a`b``'

A template that already quotes a value in a code span keeps it there, with the span's fence made long enough:

>>> resolve_verbatim("The link's `n=" + verbatim("x` **[log in](https://evil.example)**") + "` is not valid.")
"The link's ``n=x` **[log in](https://evil.example)**`` is not valid."
"""

from __future__ import annotations

import re

# Marks around a value to escape while a template is being filled (Unicode private use: never in our tables).
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(f"{_OPEN}(.*?){_CLOSE}", re.DOTALL)
# Invisible, and to Markdown neither space nor punctuation: between a code span and a backtick beside it, which
# would lengthen its fence, or an emphasis mark, which a code span's punctuation beside it would keep from closing
# ("**`x`**를" is not bold).
_WORD_JOINER = "\u2060"

# ASCII that means nothing to Markdown inside a line; every other ASCII mark (\ ` * _ [ ] < > & ~ $ | @) can.
_QUIET_ASCII = frozenset(" ,.%'\"+-/=?;:#()!^{}")
# Shapes that mean something although made of quiet characters: GFM's www autolink, a URL scheme or an emoji
# shortcode, a list item, heading or rule where the value starts a line, and leading or trailing space.
_LOUD_SHAPES = re.compile(r"www\.|:[\w+-]*[:/]|^(?:[-+]|#{1,6}|\d{1,9}[.)])(?: |$)|^[-= ]+$|^ | $", re.IGNORECASE)


class Markdown(str):
    """Text that is Markdown already: our tables' text, with every value from outside in it escaped."""


def _is_plain(text: str) -> bool:
    """True when Markdown shows ``text`` as exactly that text wherever in a line it stands."""
    for char in text:
        if char.isascii():
            if not (char.isalnum() or char in _QUIET_ASCII):
                return False
        elif char.isspace() or not char.isprintable():  # line and paragraph separators, controls, invisibles
            return False
    return not _LOUD_SHAPES.search(text)


def _code_span(text: str) -> str:
    """``text`` as one code span (line breaks become spaces, as in any code span); "" for ""."""
    text = re.sub(r"\r\n?|\n", " ", text)
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    # Markdown strips one space from each end of a span that has both, so pad whenever an end is a space or a
    # backtick (a backtick beside the fence would lengthen it); a span of spaces only is left alone.
    pad = " " if text.strip(" ") and (text[0] in " `" or text[-1] in " `") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def escape_markdown(text: str) -> Markdown:
    """``text`` from outside, for Markdown that shows exactly ``text`` and nothing else; Markdown stays as it is.

    >>> escape_markdown("**bold** <img src=x>")
    '`**bold** <img src=x>`'
    >>> escape_markdown("`` x ``")
    '``` `` x `` ```'
    >>> escape_markdown(escape_markdown("a`b"))  # escaped once only
    '``a`b``'
    """
    if isinstance(text, Markdown):
        return text
    return Markdown(text if _is_plain(text) else _code_span(text))


def verbatim(text: str) -> str:
    """``text`` marked for ``resolve_verbatim`` to escape: a value from outside, put into a template."""
    return _OPEN + text.replace(_OPEN, "").replace(_CLOSE, "") + _CLOSE


def _code_spans(skeleton: str) -> list[tuple[int, int, int]]:
    """(start, end, fence length) of each code span in ``skeleton``, found as CommonMark finds them."""
    runs = [(run.start(), run.end()) for run in re.finditer("`+", skeleton)]
    spans, i = [], 0
    while i < len(runs):
        start, end = runs[i]
        backslashes = len(skeleton[:start]) - len(skeleton[:start].rstrip("\\"))
        start += backslashes % 2  # an escaped backtick is a backtick, not a fence
        closer = next((k for k in range(i + 1, len(runs)) if runs[k][1] - runs[k][0] == end - start), None)
        if start == end or closer is None:
            i += 1
            continue
        spans.append((start, runs[closer][1], end - start))
        i = closer + 1
    return spans


def resolve_verbatim(filled: str) -> Markdown:
    """A filled template as Markdown: each ``verbatim`` value escaped by ``escape_markdown``, or, where the template
    quotes it in a code span, kept in that span with a fence longer than any backtick run in it."""
    values = iter(_MARKED.findall(filled))
    skeleton = _MARKED.sub(_OPEN, filled)
    pieces: list[tuple[str, bool]] = []  # (text, made here): the template's own text is never changed

    def outside(text: str) -> None:
        for index, part in enumerate(text.split(_OPEN)):
            if index:
                pieces.append((escape_markdown(next(values)), True))
            pieces.append((part, False))

    position = 0
    for start, end, fence in _code_spans(skeleton):
        outside(skeleton[position:start])
        inner = skeleton[start + fence:end - fence]
        if _OPEN in inner:
            if inner[:1] == inner[-1:] == " " and inner.strip(" "):
                inner = inner[1:-1]  # the template's own padding, which Markdown strips
            pieces.append((_code_span("".join(
                part if index == 0 else next(values) + part for index, part in enumerate(inner.split(_OPEN)))), True))
        else:
            pieces.append((skeleton[start:end], False))
        position = end
    outside(skeleton[position:])

    text, made_last = "", False
    for piece, made in pieces:
        if piece:
            if (made_last and text.endswith("`") and piece[0] in "`*_~") or (
                    made and piece.startswith("`") and text[-1:] in ("`", "*", "_", "~")):
                text += _WORD_JOINER
            text, made_last = text + piece, made
    return Markdown(text)
