"""Configuration layers: defaults, env file, PRICEWATCH_CONFIG, PRICEWATCH_* variables."""
from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from pricewatch.config import ConfigError, load_settings, method_params


def test_the_defaults_are_the_numbers_of_the_method():
    p = method_params(load_settings(environ={}), None)
    assert (p.k, p.tol, p.mad_scale, p.min_quotes, p.min_sources) == (3, Decimal("0.05"), Decimal("1.4826"), 1, 2)
    assert (p.normal_max_e4, p.delist_min_e4, p.evidence_days, p.rejection_days) == (2000, 5000, 15, 5)
    assert set(p.weights.values()) == {Decimal(1)}


def test_later_layers_win_and_categories_override_only_their_keys(tmp_path):
    extra = tmp_path / "site.toml"
    extra.write_text('[method]\nk = 2.5\n[categories.shredder]\nnormal_max = 0.15\n[categories.shredder.weights]\ngov = 2\n')
    s = load_settings(environ={"PRICEWATCH_CONFIG": str(extra), "PRICEWATCH_METHOD__TOL": "0.04",
                               "PRICEWATCH_DATABASE_URL": "sqlite:////tmp/x.db"})
    assert s["database_url"] == "sqlite:////tmp/x.db"
    shredder, paper = method_params(s, "shredder"), method_params(s, "paper")
    assert (shredder.k, shredder.tol, shredder.normal_max_e4, shredder.weights["gov"]) == (
        Decimal("2.5"), Decimal("0.04"), 1500, Decimal(2))
    assert (paper.normal_max_e4, paper.weights["gov"]) == (2000, Decimal(1))


def test_an_unknown_key_is_warned_about(caplog):
    with caplog.at_level(logging.WARNING):
        load_settings(environ={"PRICEWATCH_METHOD__KAY": "2"})
    assert "method.kay" in caplog.text


@pytest.mark.parametrize("environ, message", [
    ({"PRICEWATCH_CATEGORIES__PAPER__K": "0"}, "categories.paper"),
    ({"PRICEWATCH_CATEGORIES__PAPER__SPEED": "1"}, "unknown keys"),
    ({"PRICEWATCH_METHOD__DELIST_MIN": "0.1"}, "normal_max < delist_min"),
    ({"PRICEWATCH_CATEGORIES__PAPER__WEIGHTS__TV": "1"}, "unknown sources"),
    ({"PRICEWATCH_CONFIG": "/nonexistent.toml"}, "PRICEWATCH_CONFIG"),
    ({"PRICEWATCH_ENV": "nowhere"}, "PRICEWATCH_ENV"),
])
def test_bad_settings_fail_early_with_the_key_named(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)
