"""The session's language: from the URL (`lang=ko|en`), else the browser's locale, kept across pages."""

from __future__ import annotations

import streamlit as st

from core.i18n import LANGS, Lang, Message, resolve_lang, t, t_markdown
from core.i18n.markdown import Markdown, escape_markdown

_KEY = "lang"


def init_lang() -> Lang:
    """Settle the language once per run; the URL wins, then the session, then the browser."""
    requested = st.query_params.get(_KEY)
    if requested is not None and requested.strip().lower() in LANGS:
        st.session_state[_KEY] = requested.strip().lower()
    elif _KEY not in st.session_state:
        st.session_state[_KEY] = resolve_lang(None, st.context.locale)
    st.query_params[_KEY] = st.session_state[_KEY]
    if requested is not None and requested.strip().lower() not in LANGS:
        # Not silently: say which language was asked for and which one the page uses instead.
        st.info(tr("lang.unknown", requested=requested.strip()[:20]), icon=":material/translate:")
    return current_lang()


def current_lang() -> Lang:
    """The language chosen for this session."""
    return st.session_state.get(_KEY, "en")  # type: ignore[no-any-return]


def tr(key: str, /, **values: object) -> str:
    """The text for ``key`` in this session's language: ``Markdown``, its values from outside escaped (``t_markdown``).

    Typed ``str`` so that pages may add to it; a sum is plain text again, which a later ``tr`` would escape.
    """
    return t_markdown(key, current_lang(), **values)


def say(message: Message | str | None) -> str:
    """A message from core (a run's status, a fall-back, a failure) in this session's language, as Markdown; a str
    is text from outside, escaped; None: ""."""
    if message is None:
        return Markdown("")
    return message.markdown(current_lang()) if isinstance(message, Message) else escape_markdown(message)


def language_switch() -> None:
    """A sidebar control that switches the language and keeps it in the URL."""
    current = current_lang()
    # One radio per language, each drawn at its own language until clicked.
    choice = st.radio(
        tr("sidebar.language"),
        LANGS,
        index=LANGS.index(current),
        key=f"lang_switch_{current}",
        format_func=lambda code: t(f"lang.{code}", current),
        horizontal=True,
    )
    if choice != current:
        st.session_state[_KEY] = choice
        # The radio of the new language comes back at its language. Requests the browser sent from the page before
        # a switch can arrive after the server drew the next page (ui.widgets.choice) and leave the other language
        # under the old radio's key: kept, it switched back at once, and again, in a loop that drew no page.
        st.session_state.pop(f"lang_switch_{choice}", None)
        st.query_params[_KEY] = choice
        st.rerun()
