"""Every private name of Streamlit, torch and Plotly this project relies on: what, where and why, in one list.

None has a public equivalent in the pinned versions. ``tests/test_private_api.py`` fails when one of them
is gone from the installed library, and when the tree uses a private name that is not listed here (or no
longer uses one that is), so an upgrade breaks a test, not a page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrivateName:
    """Private names of a library, how each file spells its use of them, and why there is no public way.

    A name is a dotted path to import and walk (``torch._fused_adam_``), or ``module:text`` for a keyword or
    flag that only the library's source mentions (``plotly.basedatatypes:_validate``).
    """

    names: tuple[str, ...]
    uses: tuple[tuple[str, str], ...]  # (file relative to the repository root, the spelling found there)
    why: str


PRIVATE_NAMES: tuple[PrivateName, ...] = (
    PrivateName(
        ("streamlit.runtime.pages_manager.PagesManager.uses_pages_directory",),
        (("ui/shell.py", "streamlit.runtime.pages_manager.PagesManager"),
         ("benchmarks/calculator.py", "streamlit.runtime.pages_manager.PagesManager")),
        "a fresh server runs pages/ as a v1 multipage app until st.navigation has run; no public switch",
    ),
    PrivateName(
        ("streamlit.runtime.scriptrunner.get_script_run_ctx",),
        (("ui/runs.py", "streamlit.runtime.scriptrunner.get_script_run_ctx"),),
        "the session id a tab is bound to; st.context has no session id",
    ),
    PrivateName(
        ("streamlit.runtime.exists", "streamlit.runtime.get_instance", "streamlit.runtime.Runtime.is_active_session"),
        (("ui/runs.py", "streamlit.runtime"),),
        "whether a tab's browser connection is still open, to stop the runs of a closed tab",
    ),
    PrivateName(
        ("streamlit.runtime.scriptrunner.script_runner.ScriptRunner._run_script",
         "streamlit.runtime.scriptrunner.script_cache.ScriptCache", "streamlit.testing.v1.app_test.ScriptCache"),
        (("benchmarks/calculator.py", "streamlit.runtime.scriptrunner.script_runner"),
         ("benchmarks/calculator.py", "streamlit.runtime.scriptrunner.script_cache.ScriptCache"),
         ("benchmarks/calculator.py", "script_runner.ScriptRunner._run_script")),
        "the calculator benchmark times the script run alone, with a server's warm bytecode cache",
    ),
    PrivateName(
        ("streamlit.proto.BackMsg_pb2.BackMsg", "streamlit.proto.ForwardMsg_pb2.ForwardMsg",
         "streamlit.proto.WidgetStates_pb2.WidgetState", "streamlit.proto.WidgetStates_pb2.WidgetStates"),
        (("benchmarks/stclient.py", "streamlit.proto.BackMsg_pb2.BackMsg"),
         ("benchmarks/stclient.py", "streamlit.proto.ForwardMsg_pb2.ForwardMsg"),
         ("benchmarks/stclient.py", "streamlit.proto.WidgetStates_pb2.WidgetState"),
         ("tests/test_language_switch.py", "streamlit.proto.WidgetStates_pb2.WidgetStates")),
        "the websocket messages a browser sends: the class benchmark and the language-switch test speak them",
    ),
    PrivateName(
        ("streamlit.testing.v1.AppTest._run", "streamlit.testing.v1.app_test:self._tree"),
        (("tests/test_language_switch.py", "at._run"), ("tests/test_language_switch.py", "at._tree")),
        "a rerun with the widget states a late browser request carries, which AppTest's public API cannot send",
    ),
    PrivateName(
        ("streamlit.components.v2.manifest_scanner.scan_component_manifests",),
        (("tests/conftest.py", "streamlit.components.v2.manifest_scanner"),),
        "each new AppTest scans every installed package for components (most of a page test's time); the tests"
        " scan once per session",
    ),
    PrivateName(
        ("plotly.basedatatypes:_validate",),
        (("core/figures/base.py", "_validate="),),
        "Plotly checks every property of a figure (~15 ms) unless told not to; tests build each figure validated",
    ),
    PrivateName(
        ("torch._fused_adam_", "torch._foreach_add_"),
        (("core/train/engine.py", "torch._fused_adam_"), ("core/train/engine.py", "torch._foreach_add_"),
         ("core/train/engine.py", "_fused_adam_")),
        "fused Adam without Optimizer.step's Python bookkeeping; used only where a start-up check gives step()'s"
        " exact weights (direct_fused_adam_agrees)",
    ),
    PrivateName(
        ("torch._dynamo",),
        (("core/train/runner.py", "torch._dynamo"), ("core/train/data_parallel.py", "torch._dynamo")),
        "imported ahead of the first optimizer (which imports it, seconds of CPU) in a background thread",
    ),
)
