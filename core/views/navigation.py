"""The app's pages, listed once: app.py's navigation and the tests that visit every page read this list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppPage:
    """One page of the app: its script, its URL path, its title's key in the string tables and its icon."""

    script: str  # relative to the app's root folder
    url_path: str
    title_key: str
    icon: str

    @property
    def route(self) -> str:
        """The path a browser opens it at: the first page is the app's root ("")."""
        return "" if self is PAGES[0] else self.url_path


PAGES: tuple[AppPage, ...] = (
    AppPage("pages/calculator.py", "calculator", "nav.calculator", ":material/calculate:"),  # the default page
    AppPage("pages/training.py", "training", "nav.training", ":material/monitoring:"),
    AppPage("pages/compare.py", "compare", "nav.compare", ":material/compare_arrows:"),
    AppPage("pages/data-parallel.py", "data-parallel", "nav.data_parallel", ":material/hub:"),
    AppPage("pages/paths.py", "paths", "nav.paths", ":material/route:"),
    # Each file is named like its URL: before app.py first runs, Streamlit finds pages by file name.
    AppPage("pages/learning-rate.py", "learning-rate", "nav.learning_rate", ":material/speed:"),
    AppPage("pages/learn.py", "learn", "nav.learn", ":material/school:"),
)
