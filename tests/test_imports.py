"""Each layer of ``core`` imports only what its layer may, checked in a fresh process per module.

The layers, from the bottom: ``i18n`` (string tables) and ``runtime`` (threads, tabs, heap; stdlib only);
``maths`` (arithmetic and plain records; numpy); ``views`` (page settings, URL parameters, page text);
``figures`` (Plotly builders) and ``train`` (torch), which never import each other. No part of ``core``
imports Streamlit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core"

# layer -> (core layers it may import, third-party packages it must not load)
LAYERS: dict[str, tuple[set[str], set[str]]] = {
    "i18n": (set(), {"numpy", "torch", "plotly", "streamlit"}),
    "runtime": (set(), {"numpy", "torch", "plotly", "streamlit"}),
    "maths": ({"i18n"}, {"torch", "plotly", "streamlit"}),
    "views": ({"i18n", "maths"}, {"torch", "plotly", "streamlit"}),
    "figures": ({"i18n", "maths", "views"}, {"torch", "streamlit"}),
    "train": ({"i18n", "maths", "views", "runtime"}, {"plotly", "streamlit"}),
}
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in CORE.rglob("*.py")
    if path.stem != "__init__" or path.parent.name == "i18n"
)


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def _layer(module: str) -> str:
    return module.split(".")[1].removesuffix(".__init__")


def test_every_core_module_belongs_to_a_layer():
    assert {_layer(module) for module in MODULES} == set(LAYERS)
    assert not [p.name for p in CORE.glob("*.py") if p.stem != "__init__"], "core's modules live in layer folders"


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_each_core_module_loads_only_what_its_layer_allows(module):
    allowed, forbidden = LAYERS[_layer(module)]
    loaded = _loaded_after_import(module)
    layers_loaded = {name.split(".")[1] for name in loaded if name.startswith("core.") and name.count(".") >= 1}
    assert layers_loaded - allowed - {_layer(module)} == set(), f"{module} reaches into another layer"
    assert {name for name in loaded if name.split(".")[0] in forbidden} == set()


@pytest.mark.slow
def test_the_calculator_page_runs_without_importing_torch():
    code = (
        "import logging, sys; logging.disable(logging.WARNING)\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60); at.query_params['lang'] = 'en'; at.run()\n"
        "assert not at.exception, at.exception\n"
        "print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"
