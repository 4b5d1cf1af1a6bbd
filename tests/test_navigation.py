"""The app's page registry (core/views/navigation.py) lists every page once, and each one is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.i18n import TABLES, Lang
from core.views.navigation import PAGES, AppPage

ROOT = Path(__file__).resolve().parents[1]


def test_every_page_file_is_registered_once_and_every_registered_file_exists() -> None:
    files = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))
    assert sorted(page.script for page in PAGES) == files


def test_url_paths_are_unique_and_the_first_page_is_the_root() -> None:
    assert len({page.url_path for page in PAGES}) == len(PAGES)
    assert [page.route for page in PAGES] == ["", *(page.url_path for page in PAGES[1:])]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.url_path)
@pytest.mark.parametrize("lang", sorted(TABLES))
def test_every_page_has_a_title_in_every_language_and_a_material_icon(page: AppPage, lang: Lang) -> None:
    assert TABLES[lang][page.title_key]
    assert page.icon.startswith(":material/") and page.icon.endswith(":")
