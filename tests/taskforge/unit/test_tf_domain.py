"""Field rules of the domain model."""

import pytest

from taskforge import domain
from taskforge.domain import FieldErrors, TaskQuery


@pytest.mark.parametrize("value", [0, 50, 100])
def test_priority_accepts_0_to_100(value):
    assert domain.clean_priority(value) == value


@pytest.mark.parametrize("value", [-1, 101, "high", 5.0, True, None])
def test_priority_rejects_the_rest(value):
    with pytest.raises(ValueError):
        domain.clean_priority(value)


@pytest.mark.parametrize("value", ["2030-02-28", None])
def test_due_date_accepts_iso_dates_and_null(value):
    assert domain.clean_due_date(value) == value


@pytest.mark.parametrize("value", ["2030-02-30", "20300228", "28/02/2030", "2030-2-8", 20300228])
def test_due_date_rejects_the_rest(value):
    with pytest.raises(ValueError):
        domain.clean_due_date(value)


def test_text_is_stripped_and_bounded():
    assert domain.clean_text(" hi  ", max_length=5, required=True) == "hi"
    with pytest.raises(ValueError):  # the limit is on the text as sent, as OpenAPI states it
        domain.clean_text("  hi  ", max_length=5, required=True)
    assert domain.clean_text("", max_length=5, required=False) == ""
    with pytest.raises(ValueError):  # null is not text, even where text may be empty
        domain.clean_text(None, max_length=5, required=False)
    for bad in ["   ", "toolong", 3]:
        with pytest.raises(ValueError):
            domain.clean_text(bad, max_length=5, required=True)


@pytest.mark.parametrize("value", ["al", "a" * 33, "has space", "semi;colon", 7])
def test_username_rules(value):
    with pytest.raises(ValueError):
        domain.clean_username(value)


def test_ids_and_statuses():
    assert domain.clean_id(None, optional=True) is None
    with pytest.raises(ValueError):
        domain.clean_id(None, optional=False)
    with pytest.raises(ValueError):
        domain.clean_id(0, optional=True)
    with pytest.raises(ValueError):
        domain.clean_status("blocked")


def test_field_errors_collects_every_problem():
    errors = FieldErrors()
    errors.check("priority", domain.clean_priority, 500)
    errors.check("status", domain.clean_status, "todo")
    errors.add("project_id", "no such project")
    assert set(errors.errors) == {"priority", "project_id"}
    assert errors


def test_default_sort_direction():
    assert TaskQuery().descending is True
    assert TaskQuery(sort="due_date").descending is False
    assert TaskQuery(sort="due_date", order="desc").descending is True
