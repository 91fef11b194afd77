"""Configuration: precedence, modes, and refusing unsafe production settings."""

import pytest

from taskforge.config import (
    PRODUCTION_ITERATIONS,
    TESTING_ITERATIONS,
    ConfigError,
    build_config,
)

KEY = "x" * 32


def build(overrides=None, environ=None):
    settings, _notes = build_config("/srv/instance", overrides, environ or {})
    return settings


def test_defaults_are_production_and_need_a_secret_key():
    with pytest.raises(ConfigError, match="TASKFORGE_SECRET_KEY"):
        build()


def test_precedence_defaults_then_environment_then_dict():
    environ = {
        "TASKFORGE_SECRET_KEY": KEY,
        "TASKFORGE_TOKEN_TTL_SECONDS": "120",
        "TASKFORGE_DATABASE": "/env/db.sqlite",
    }
    settings = build({"DATABASE": "/dict/db.sqlite"}, environ)
    assert settings["TOKEN_TTL_SECONDS"] == 120  # environment beats default
    assert settings["DATABASE"] == "/dict/db.sqlite"  # dict beats environment
    assert settings["SECRET_KEY"] == KEY
    assert settings["LOGIN_MAX_ATTEMPTS"] == 5  # untouched default


def test_default_database_lives_in_the_instance_folder():
    assert build({"SECRET_KEY": KEY})["DATABASE"] == "/srv/instance/taskforge.sqlite"


def test_production_defaults():
    settings = build({"SECRET_KEY": KEY})
    assert settings["ENV"] == "production"
    assert settings["PASSWORD_ITERATIONS"] == PRODUCTION_ITERATIONS == 600_000
    assert settings["AUTO_MIGRATE"] is False
    assert settings["TESTING"] is False


def test_testing_mode_is_fast_and_migrates():
    settings = build({"TESTING": True})
    assert settings["ENV"] == "testing"
    assert settings["PASSWORD_ITERATIONS"] == TESTING_ITERATIONS
    assert settings["AUTO_MIGRATE"] is True
    assert len(settings["SECRET_KEY"]) >= 32  # a throwaway key


def test_development_mode_from_environment_gets_a_throwaway_key_and_a_note():
    settings, notes = build_config("/i", None, {"TASKFORGE_ENV": "development"})
    assert settings["ENV"] == "development"
    assert settings["PASSWORD_ITERATIONS"] == PRODUCTION_ITERATIONS
    assert any("random key" in note for note in notes)


def test_two_throwaway_keys_differ():
    assert build({"TESTING": True})["SECRET_KEY"] != build({"TESTING": True})["SECRET_KEY"]


def test_short_secret_key_is_refused_in_every_mode():
    with pytest.raises(ConfigError, match="32 bytes"):
        build({"TESTING": True, "SECRET_KEY": "short"})


def test_low_iterations_are_refused_in_production():
    with pytest.raises(ConfigError, match="PASSWORD_ITERATIONS"):
        build({"SECRET_KEY": KEY, "PASSWORD_ITERATIONS": 1_000})


def test_explicit_iterations_win_in_testing():
    assert build({"TESTING": True, "PASSWORD_ITERATIONS": 5})["PASSWORD_ITERATIONS"] == 5


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TASKFORGE_TOKEN_TTL_SECONDS", "soon", "not an integer"),
        ("TASKFORGE_AUTO_MIGRATE", "maybe", "not a boolean"),
        ("TASKFORGE_ENV", "staging", "ENV must be one of"),
        ("TASKFORGE_STORAGE", "postgres", "STORAGE must be one of"),
        ("TASKFORGE_LOGIN_MAX_ATTEMPTS", "0", "positive integer"),
    ],
)
def test_bad_environment_values_explain_themselves(name, value, message):
    with pytest.raises(ConfigError, match=message):
        build({"SECRET_KEY": KEY}, {name: value})


def test_environment_booleans_and_underscored_numbers():
    environ = {"TASKFORGE_AUTO_MIGRATE": "yes", "TASKFORGE_PASSWORD_ITERATIONS": "700_000"}
    settings = build({"SECRET_KEY": KEY}, environ)
    assert settings["AUTO_MIGRATE"] is True
    assert settings["PASSWORD_ITERATIONS"] == 700_000


def test_in_memory_sqlite_path_is_refused_with_a_pointer_to_memory_storage():
    with pytest.raises(ConfigError, match="STORAGE='memory'"):
        build({"TESTING": True, "DATABASE": ":memory:"})
