"""The package's declared lower bounds are versions this suite runs with, never below."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
REQUIREMENTS = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["test"]]


def _lower_bound(requirement: str) -> tuple[str, Version]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement.split(";")[0].strip())
    assert match, f"{requirement!r}: declare a plain lower bound (name>=version)"
    return match.group(1), Version(match.group(2))


@pytest.mark.parametrize("requirement", REQUIREMENTS)
def test_each_dependency_runs_at_or_above_its_declared_lower_bound(requirement):
    name, bound = _lower_bound(requirement)
    assert Version(version(name)) >= bound


def test_python_is_at_or_above_the_declared_minimum():
    assert Version(".".join(map(str, sys.version_info[:3]))) >= Version(PROJECT["requires-python"].removeprefix(">="))
