"""The private library names the app relies on are all listed in core/runtime/private_api.py and still exist."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import re
import tokenize
from pathlib import Path

import plotly.graph_objects as go
import pytest

from core.runtime.private_api import PRIVATE_NAMES

ROOT = Path(__file__).resolve().parents[1]
SCANNED = [ROOT / "app.py", *(path for folder in ("core", "ui", "pages", "benchmarks", "deploy", "tests")
                              for path in sorted((ROOT / folder).rglob("*.py")))]
LIBRARIES = ("streamlit", "torch", "plotly")
PUBLIC_STREAMLIT = ("streamlit.testing.v1", "streamlit.components.v1")  # and `streamlit` itself
LISTED = sorted({name for entry in PRIVATE_NAMES for name in entry.names})


def _resolve(name: str) -> bool:
    """True when ``name`` (a dotted path, or ``module:text`` in the module's source) exists in the installed library."""
    if ":" in name:
        module, text = name.split(":")
        spec = importlib.util.find_spec(module)
        return spec is not None and spec.origin is not None and text in Path(spec.origin).read_text()
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def _without_comments(source: str) -> str:
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column]
    return "\n".join(lines)


def _private_uses(path: Path) -> set[str]:
    """How ``path`` spells its uses of private library names (comments aside)."""
    source = _without_comments(path.read_text())
    found: set[str] = set()
    library_names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in LIBRARIES:
            for alias in node.names:
                library_names.add(alias.asname or alias.name)
                if node.module.startswith("streamlit.") and not node.module.startswith(PUBLIC_STREAMLIT):
                    found.add(f"{node.module}.{alias.name}")
                elif node.module == "streamlit" and alias.name not in ("testing", "components"):
                    found.add(f"streamlit.{alias.name}")
        elif isinstance(node, ast.Import):
            library_names.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                                 if alias.name.split(".")[0] in LIBRARIES)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and str(node.args[1].value).startswith("_")
              and not (isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "cls"))):
            found.add(str(node.args[1].value))
    found.update(match.group(0) for match in re.finditer(r"\btorch(?:\.\w+)*\._(?!_)\w+", source))
    found.update(re.findall(r"\b_validate=", source))
    found.update(re.findall(r"\bat\._\w+", source))  # an AppTest, named `at` throughout the tests
    for name in library_names - {"torch"}:
        found.update(match.group(0) for match in re.finditer(rf"\b{re.escape(name)}(?:\.\w+)*\._[a-z]\w*", source))
    return found


@pytest.mark.parametrize("name", LISTED)
def test_every_listed_private_name_still_exists_in_the_installed_library(name):
    assert _resolve(name), f"{name} is gone from the installed library: see core/runtime/private_api.py for its use"


def test_plotly_still_skips_validation_when_told_to():
    bad = {"data": [{"type": "scatter", "marker": {"size": "big"}}], "layout": {}}
    with pytest.raises(ValueError):
        go.Figure(bad)
    assert go.Figure(bad, _validate=False).data[0].marker.size == "big"  # core/figures/base.py's shortcut


def test_every_private_use_in_the_tree_is_listed_and_every_listed_use_is_still_there():
    listed: dict[str, set[str]] = {}
    for entry in PRIVATE_NAMES:
        for file, spelling in entry.uses:
            listed.setdefault(file, set()).add(spelling)
    found = {str(path.relative_to(ROOT)): uses for path in SCANNED
             if path.name not in ("private_api.py", "test_private_api.py") and (uses := _private_uses(path))}
    unlisted = {file: sorted(uses - listed.get(file, set())) for file, uses in found.items()
                if uses - listed.get(file, set())}
    stale = {file: sorted(spellings - found.get(file, set())) for file, spellings in listed.items()
             if spellings - found.get(file, set())}
    assert not unlisted, f"private library names used but not listed in core/runtime/private_api.py: {unlisted}"
    assert not stale, f"listed in core/runtime/private_api.py but no longer used there: {stale}"


def test_the_detector_finds_each_kind_of_private_use(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import torch\nimport plotly.graph_objects as go\nfrom streamlit.runtime import x\n"
        "torch._private_op()  # torch.ignored._in_a_comment\ngo.Figure({}, _validate=False)\n"
        "go.Figure._secret\nsetattr(thing, '_flag', True)\nat._run()\n"
        "import os\nos._exit(0)\ntorch.__version__\nsetattr(self, '_own', 1)\n"
    )
    assert _private_uses(sample) == {"torch._private_op", "_validate=", "streamlit.runtime.x", "go.Figure._secret",
                                     "_flag", "at._run"}
