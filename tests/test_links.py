"""Links between pages are built from the target page's schema: an unknown name or a refused value fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.views.links import TARGETS, LinkError, link_query

ROOT = Path(__file__).resolve().parents[1]


def test_every_link_target_is_a_page_of_the_app():
    assert all((ROOT / page).is_file() for page in TARGETS)


@pytest.mark.parametrize("page", sorted(TARGETS))
def test_a_name_the_target_page_does_not_know_fails(page):
    with pytest.raises(LinkError, match="no URL parameter not_a_setting"):
        link_query(page, {"not_a_setting": 1})


@pytest.mark.parametrize("page", sorted(TARGETS))
def test_every_name_of_the_target_pages_table_is_accepted_at_its_default(page):
    target = TARGETS[page]
    values = {param.name: param.default for param in target.params}
    assert set(link_query(page, values)) == {param.name for param in target.params if param.default is not None}


def test_a_value_the_target_page_would_refuse_fails():
    with pytest.raises(LinkError, match="batch_size=0"):
        link_query("pages/calculator.py", {"batch_size": 0})
    with pytest.raises(LinkError, match="batch_sizes=8"):
        link_query("pages/compare.py", {"batch_sizes": "8"})


def test_a_page_no_link_opens_with_settings_is_refused():
    with pytest.raises(LinkError, match="no link opens 'pages/nowhere.py'"):
        link_query("pages/nowhere.py", {"n": 1})


def test_values_are_written_as_the_pages_url_writes_them_and_strings_are_kept():
    assert link_query("pages/calculator.py", {"n": 200, "drop_last": True, "val_split": 0.2}) == {
        "n": "200", "drop_last": "true", "val_split": "0.2"}
    assert link_query("pages/training.py", {"val_split": "0"}) == {"val_split": "0"}
