"""Configuration: defaults -> env file -> PRICEWATCH_CONFIG file -> PRICEWATCH_* variables."""
from __future__ import annotations

import copy
import logging
import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from pricewatch.domain.params import SOURCES, MethodParams

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
INSTANCE_DIR = Path(os.environ.get("PRICEWATCH_INSTANCE", PROJECT_ROOT / "instance"))

_METHOD_KEYS = {f for f in MethodParams.__dataclass_fields__}


class ConfigError(ValueError):
    """A configuration value is missing, unknown or malformed."""


def _merge(base: dict, over: Mapping, where: str, strict: bool = True) -> dict:
    """Deep-merge `over` into `base`, warning on keys the defaults do not know."""
    for key, value in over.items():
        if strict and key not in base and where not in ("categories",) and not where.startswith("categories"):
            log.warning("unknown configuration key %s.%s (ignored)", where, key)
            continue
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value, f"{where}.{key}" if where else key, strict)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _env_value(raw: str) -> Any:
    """Parse an environment value as a TOML value when it is one, else keep the string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _from_environ(environ: Mapping[str, str]) -> dict:
    """Collect PRICEWATCH_* variables into a nested dict (double underscore nests)."""
    out: dict = {}
    skip = {"PRICEWATCH_CONFIG", "PRICEWATCH_ENV", "PRICEWATCH_INSTANCE"}
    for name, raw in environ.items():
        if not name.startswith("PRICEWATCH_") or name in skip:
            continue
        path = name[len("PRICEWATCH_"):].lower().split("__")
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _env_value(raw)
    return out


def load_settings(override: Mapping | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Build the settings dict from every layer; `override` (tests) wins over all."""
    environ = os.environ if environ is None else environ
    with open(CONFIG_DIR / "defaults.toml", "rb") as fh:
        settings = tomllib.load(fh)
    env_name = environ.get("PRICEWATCH_ENV")
    if env_name:
        path = CONFIG_DIR / f"{env_name}.toml"
        if not path.exists():
            raise ConfigError(f"PRICEWATCH_ENV={env_name}: no file {path}")
        with open(path, "rb") as fh:
            _merge(settings, tomllib.load(fh), "")
    extra = environ.get("PRICEWATCH_CONFIG")
    if extra:
        try:
            with open(extra, "rb") as fh:
                _merge(settings, tomllib.load(fh), "")
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"PRICEWATCH_CONFIG={extra}: {exc}") from exc
    _merge(settings, _from_environ(environ), "")
    if override:
        _merge(settings, override, "")
    if not settings.get("database_url"):
        settings["database_url"] = f"sqlite:///{INSTANCE_DIR / 'pricewatch.db'}"
    for name in (settings.get("categories") or {}):
        method_params(settings, name)  # fail early on a bad category section
    method_params(settings, None)
    return settings


def _dec(value: Any, key: str) -> Decimal:
    """A config number as an exact Decimal (via its text, never via binary float)."""
    try:
        return Decimal(str(value))
    except Exception as exc:  # noqa: BLE001 - decimal raises several kinds
        raise ConfigError(f"method.{key}: not a number: {value!r}") from exc


def method_params(settings: Mapping, category: str | None) -> MethodParams:
    """The MethodParams in force for `category` (None: the defaults)."""
    merged = copy.deepcopy(dict(settings["method"]))
    if category is not None:
        cat = (settings.get("categories") or {}).get(category) or {}
        unknown = set(cat) - _METHOD_KEYS
        if unknown:
            raise ConfigError(f"categories.{category}: unknown keys {sorted(unknown)}")
        weights = dict(merged["weights"])
        weights.update(cat.get("weights") or {})
        merged.update(cat)
        merged["weights"] = weights
    weights = merged.get("weights") or {}
    if set(weights) - set(SOURCES):
        raise ConfigError(f"weights: unknown sources {sorted(set(weights) - set(SOURCES))}")
    try:
        return MethodParams(
            k=_dec(merged["k"], "k"),
            tol=_dec(merged["tol"], "tol"),
            mad_scale=_dec(merged["mad_scale"], "mad_scale"),
            min_quotes=int(merged["min_quotes"]),
            min_sources=int(merged["min_sources"]),
            normal_max=_dec(merged["normal_max"], "normal_max"),
            delist_min=_dec(merged["delist_min"], "delist_min"),
            evidence_days=int(merged["evidence_days"]),
            rejection_days=int(merged["rejection_days"]),
            weights={s: _dec(weights.get(s, 1), f"weights.{s}") for s in SOURCES},
        )
    except ValueError as exc:
        raise ConfigError(f"{'categories.' + category if category else 'method'}: {exc}") from exc
