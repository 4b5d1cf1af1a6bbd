"""Links between pages, built from the target page's own URL schema: a name it does not know cannot be linked.

Every link the lesson and the pages build goes through ``link_query``, which checks each name against the
target page's Param table and parses the link as the page will, so a renamed parameter or a value the page
would refuse fails in a test instead of silently opening the page on its defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from core.views import calculator, compare, data_parallel, learning_rate, paths, training
from core.views.params import Param, ParamProblem, format_value

Query = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class LinkTarget:
    """A page as a link sees it: its Param table, the names it parses by hand, and its URL parser."""

    params: tuple[Param, ...]
    parse: Callable[[Query], tuple[object, list[ParamProblem]]]
    by_hand: tuple[str, ...] = ()  # URL names the page reads outside its Param table (Compare's batch_sizes)

    @property
    def names(self) -> frozenset[str]:
        """Every URL name the page reads."""
        return frozenset(param.name for param in self.params) | frozenset(self.by_hand)


# The pages a link can open with settings, by the script path st.page_link takes (none links to the lesson).
TARGETS: dict[str, LinkTarget] = {
    "pages/calculator.py": LinkTarget(tuple(p for schema in calculator.PAGE_SCHEMAS for p in schema.params),
                                      calculator.page_from_query),
    "pages/training.py": LinkTarget(training.PARAMS + training.SCHEDULE_PARAMS, training.settings_from_query),
    "pages/compare.py": LinkTarget(compare.PARAMS, compare.compare_from_query, by_hand=("batch_sizes",)),
    "pages/data-parallel.py": LinkTarget(data_parallel.PARAMS, data_parallel.config_from_query),
    "pages/paths.py": LinkTarget(paths.PARAMS + paths.VIEW_SCHEMA.params, paths.page_from_query),
    "pages/learning-rate.py": LinkTarget(learning_rate.PARAMS + learning_rate.ADAM_SCHEMA.params,
                                         learning_rate.page_from_query),
}


class LinkError(ValueError):
    """A link names a parameter its target page does not know, or carries a value the page would not use."""


def link_query(page: str, values: Mapping[str, object]) -> dict[str, str]:
    """The query string of a link to ``page`` (its script path) setting ``values`` (by URL name).

    Values are written as the page's URL writes them (strings as given, None left out). Raises LinkError for a page
    no link can open, a name the page's schema lacks, or a value the page would replace by its default.
    """
    if page not in TARGETS:
        raise LinkError(f"no link opens {page!r} with settings")
    target = TARGETS[page]
    unknown = sorted(set(values) - target.names)
    if unknown:
        raise LinkError(f"{page} has no URL parameter {', '.join(unknown)}")
    digits = {param.name: param.digits for param in target.params}
    query = {name: value if isinstance(value, str) else format_value(value, digits.get(name, 6))
             for name, value in values.items() if value is not None}  # None: not set, as in the page's own URL
    _, problems = target.parse(query)
    refused = [problem for problem in problems if problem.reason != "adjusted"]  # adjusted: a default fitted
    if refused:
        raise LinkError(f"{page} would not use {', '.join(f'{p.name}={p.raw}' for p in refused)}")
    return query
