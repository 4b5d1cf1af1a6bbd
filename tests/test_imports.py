"""Importing the engine never drags in the UI, and the arithmetic never drags in torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_batching_imports_neither_torch_nor_streamlit():
    loaded = _loaded_after_import("core.batching")
    assert "torch" not in loaded and "streamlit" not in loaded


def test_calculator_and_figures_do_not_import_torch():
    loaded = _loaded_after_import("core.calculator, core.figures, core.params")
    assert "torch" not in loaded and "streamlit" not in loaded


@pytest.mark.parametrize("module", sorted(p.stem for p in (ROOT / "core").glob("*.py") if p.stem != "__init__"))
def test_no_core_module_imports_streamlit(module):
    assert "streamlit" not in _loaded_after_import(f"core.{module}")


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


def test_run_lifecycle_and_tab_registry_import_neither_torch_nor_plotly():
    loaded = _loaded_after_import("core.background, core.tabs, core.runlog")
    assert "torch" not in loaded and "plotly" not in loaded and "streamlit" not in loaded
