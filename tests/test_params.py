"""One settings schema per page: the Param table is tied to the settings dataclass, and parses and writes URLs."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest

from core.views import calculator, learning_rate, lesson, paths
from core.views.params import Param, Schema
from ui.widgets import widget_key, widget_values

SCHEMAS = {"calculator": calculator.SCHEMA, "what_if": calculator.WHAT_IF_SCHEMA,
           "pictures": calculator.PICTURES_SCHEMA, "learning_rate": learning_rate.SCHEMA,
           "adam": learning_rate.ADAM_SCHEMA, "paths": paths.SCHEMA, "paths_view": paths.VIEW_SCHEMA,
           "lesson": lesson.LESSON_SCHEMA, "keras_example": lesson.KERAS_SCHEMA, "torch_example": lesson.TORCH_SCHEMA}
URL_STATE_KEYS = {"settings", "from_url", "problems", "written"}  # ui/urlstate keeps "<page>_<these>" beside widgets


@dataclass(frozen=True)
class Example:
    """A settings dataclass for the schema's own checks."""

    n_samples: int = 10
    budget: str = "epochs"
    shown: int | None = None


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_parameter_fills_a_field_of_its_settings_and_defaults_to_the_fields_default(name):
    schema = SCHEMAS[name]
    defaults = schema.defaults or schema.settings()
    assert not {param.attribute for param in schema.params} & URL_STATE_KEYS  # a widget key would overwrite them
    assert {param.attribute for param in schema.params} <= {f.name for f in fields(schema.settings)}
    assert all(getattr(defaults, param.attribute) == param.default for param in schema.params)
    assert schema.parse({}) == (defaults, [])


def test_a_parameter_for_a_field_the_settings_lack_is_refused():
    with pytest.raises(TypeError, match="no field epochs"):
        Schema(Example, (Param("epochs", "int", 1, 1, 9),))


def test_a_parameter_whose_default_is_not_the_fields_is_refused():
    with pytest.raises(ValueError, match="defaults to 5, its field to 10"):
        Schema(Example, (Param("n", "int", 5, 1, 99, setting="n_samples"),))


def test_a_repeated_url_name_is_refused():
    with pytest.raises(ValueError, match="repeat a name"):
        Schema(Example, (Param("n", "int", 10, 1, 99, setting="n_samples"), Param("n", "int", None, 0, 9,
                                                                                   setting="shown")))


SCHEMA = Schema(Example, (
    Param("n", "int", 10, 1, 99, setting="n_samples"),
    Param("budget", "choice", "epochs", choices=("epochs", "updates")),
    Param("shown", "int", None, 0, 50),
))


def test_parse_and_write_round_trip_by_url_name_and_leave_unset_fields_out():
    settings, problems = SCHEMA.parse({"n": "20", "budget": "updates", "shown": "7"})
    assert (settings, problems) == (Example(20, "updates", 7), [])
    assert SCHEMA.to_query(settings) == {"n": "20", "budget": "updates", "shown": "7"}
    assert SCHEMA.to_query(Example()) == {"n": "10", "budget": "epochs"}
    assert SCHEMA.names == ("n", "budget", "shown") and SCHEMA.param("n").attribute == "n_samples"


def test_a_bad_value_is_reported_and_replaced_by_its_default():
    settings, problems = SCHEMA.parse({"n": "500", "budget": "updates"})
    assert settings == Example(budget="updates")
    assert [(p.name, p.reason, p.used) for p in problems] == [("n", "out_of_range", 10)]


def test_fields_outside_the_table_come_from_the_base():
    only_n = Schema(Example, (Param("n", "int", 10, 1, 99, setting="n_samples"),))
    assert only_n.parse({"n": "3"}, base=Example(budget="updates", shown=2)) == (Example(3, "updates", 2), [])


def test_bounds_are_whole_numbers_for_an_int_and_a_choice_has_none():
    assert SCHEMA.param("n").bounds == (1, 99) and isinstance(SCHEMA.param("n").bounds[0], int)
    assert calculator.SCHEMA.param("val_split").bounds == (0.0, calculator.MAX_VAL_SPLIT)
    with pytest.raises(ValueError, match="budget has no range"):
        _ = SCHEMA.param("budget").bounds


def test_widget_keys_follow_the_settings_fields_and_unset_values_are_left_out():
    assert widget_key("calc", "n_samples") == "calc_n_samples"
    assert widget_values("ex", SCHEMA.params, Example()) == {"ex_n_samples": 10, "ex_budget": "epochs"}
