"""The session's language: from the URL (`lang=ko|en`), else the browser's locale, kept across pages."""

from __future__ import annotations

import streamlit as st

from core.i18n import LANGS, Lang, Message, resolve_lang, t

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
        st.info(tr("lang.unknown", requested=requested.strip().replace("`", "")[:20]), icon=":material/translate:")
    return current_lang()


def current_lang() -> Lang:
    """The language chosen for this session."""
    return st.session_state.get(_KEY, "en")  # type: ignore[no-any-return]


def tr(key: str, /, **values: object) -> str:
    """The text for ``key`` in this session's language."""
    return t(key, current_lang(), **values)


def say(message: Message | str | None) -> str:
    """A message from core (a run's status, a fall-back, a failure) in this session's language; None: ""."""
    if message is None:
        return ""
    return message.text(current_lang()) if isinstance(message, Message) else message


def language_switch() -> None:
    """A sidebar control that switches the language and keeps it in the URL."""
    current = current_lang()
    # Keyed by the current language, so a stale value from before a switch can never switch it back.
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
        st.query_params[_KEY] = choice
        st.rerun()


def error_text(error: ValueError) -> str:
    """A refused setting explained in this session's language (core's SettingsError), else its own message."""
    message = getattr(error, "message", None)
    return message(current_lang()) if callable(message) else str(error)
