"""Settings: one typed object, read the same way by the server and the CLI.

Layers, lowest to highest: defaults, ``[tool.splice]`` in the workspace's pyproject.toml, ``.splice/config.toml``,
environment variables, editor settings (``initializationOptions`` / ``workspace/didChangeConfiguration``), CLI flags.
Every layer uses the same camelCase dotted keys (``budget.perRequest``), nested tables or flat. Invalid values are
reported as problems and the lower layer's value is kept; API keys are never read from settings, only from the
environment.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FEATURES = ("generate", "explain", "migrate", "review")
REVIEW_MODES = ("auto", "inline", "refactorPreview", "message")


@dataclass(frozen=True)
class Settings:
    model: str | None = None
    """Any litellm model string (``openai/gpt-4o-mini``, ``ollama/qwen2.5-coder``); None = no model configured."""
    models: Mapping[str, str] = field(default_factory=dict)
    """Per-feature overrides: ``models.generate``, ``models.explain``, ``models.migrate``, ``models.review``."""
    api_base: str | None = None
    api_key_env: str | None = None
    """Name of the environment variable holding the key (default: the one litellm reads for the provider)."""
    temperature: float = 0.2
    max_tokens: int = 4096
    timeout: float = 120.0
    concurrency: int = 8
    max_retries: int = 3
    exclude: tuple[str, ...] = ()
    """Extra gitignore-style patterns: never indexed, never sent to a model."""
    index_uri: str | None = None
    """LanceDB URI; default ``<workspace>/.splice/index``."""
    max_file_size: int = 1_000_000
    context_budget: int = 4000
    embeddings_model: str = "wordllama"
    """``wordllama`` (offline, bundled), any litellm embedding model, or ``none``."""
    cache_enabled: bool = True
    cache_redis_url: str | None = None
    budget_per_request: float | None = None
    """Dollars; a request estimated above this is refused before sending."""
    budget_daily: float | None = None
    verify_command: str | None = None
    verify_max_rounds: int = 3
    verify_timeout: float = 120.0
    review_mode: str = "auto"
    review_agent: bool = False

    def model_for(self, feature: str) -> str | None:
        return self.models.get(feature) or self.model


# camelCase dotted key -> (field name, converter)
def _opt_str(v: Any) -> str | None:
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise ValueError("expected a string")
    return v


def _str(v: Any) -> str:
    if not isinstance(v, str) or not v:
        raise ValueError("expected a non-empty string")
    return v


def _float(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise ValueError("expected a number")
    f = float(v)
    if f < 0:
        raise ValueError("expected a number ≥ 0")
    return f


def _opt_float(v: Any) -> float | None:
    return None if v is None or v == "" else _float(v)


def _int(v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError("expected an integer")
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v)
    if not isinstance(v, int) or v < 0:
        raise ValueError("expected an integer ≥ 0")
    return v


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "1", "yes", "false", "0", "no"):
        return v.lower() in ("true", "1", "yes")
    raise ValueError("expected true or false")


def _patterns(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [p for p in v.split(",") if p.strip()]
    if not isinstance(v, list | tuple) or not all(isinstance(p, str) for p in v):
        raise ValueError("expected a list of glob patterns")
    return tuple(p.strip() for p in v)


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def convert(v: Any) -> str:
        if v not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return str(v)

    return convert


KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "model": ("model", _opt_str),
    "apiBase": ("api_base", _opt_str),
    "apiKeyEnv": ("api_key_env", _opt_str),
    "temperature": ("temperature", _float),
    "maxTokens": ("max_tokens", _int),
    "timeout": ("timeout", _float),
    "concurrency": ("concurrency", _int),
    "maxRetries": ("max_retries", _int),
    "exclude": ("exclude", _patterns),
    "index.uri": ("index_uri", _opt_str),
    "index.maxFileSize": ("max_file_size", _int),
    "context.budget": ("context_budget", _int),
    "embeddings.model": ("embeddings_model", _str),
    "cache.enabled": ("cache_enabled", _bool),
    "cache.redisUrl": ("cache_redis_url", _opt_str),
    "budget.perRequest": ("budget_per_request", _opt_float),
    "budget.daily": ("budget_daily", _opt_float),
    "verify.command": ("verify_command", _opt_str),
    "verify.maxRounds": ("verify_max_rounds", _int),
    "verify.timeout": ("verify_timeout", _float),
    "review.mode": ("review_mode", _choice(REVIEW_MODES)),
    "review.agent": ("review_agent", _bool),
}
KEYS.update({f"models.{f}": ("models", _opt_str) for f in FEATURES})

ENV_KEYS = {
    "SPLICE_MODEL": "model",
    "SPLICE_API_BASE": "apiBase",
    "SPLICE_API_KEY_ENV": "apiKeyEnv",
    "SPLICE_INDEX_URI": "index.uri",
    "SPLICE_REDIS_URL": "cache.redisUrl",
}
_SECRET_KEYS = {"apikey", "api_key", "key", "token", "secret", "password"}


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"budget": {"daily": 1}}`` → ``{"budget.daily": 1}``; a leading ``splice.`` is dropped."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{full}."))
        else:
            flat[full.removeprefix("splice.")] = value
    return flat


@dataclass
class LoadedSettings:
    settings: Settings
    problems: list[str]
    sources: dict[str, str]
    """Which layer set each key (for ``splice doctor`` and the README's promise of a visible configuration)."""


def apply_layer(
    base: Settings, values: Mapping[str, Any], source: str, problems: list[str], sources: dict[str, str]
) -> Settings:
    changes: dict[str, Any] = {}
    models = dict(base.models)
    for key, raw in flatten(values).items():
        if key.split(".")[-1].lower() in _SECRET_KEYS:
            problems.append(
                f"{source}: '{key}' ignored — API keys are read only from the environment "
                "(set the provider's variable, e.g. OPENAI_API_KEY, or name it with apiKeyEnv)"
            )
            continue
        spec = KEYS.get(key)
        if spec is None:
            problems.append(f"{source}: unknown setting 'splice.{key}' ignored")
            continue
        name, convert = spec
        try:
            value = convert(raw)
        except (ValueError, TypeError) as exc:
            problems.append(f"{source}: 'splice.{key}' = {raw!r} is invalid ({exc}); keeping the previous value")
            continue
        if name == "models":
            feature = key.split(".", 1)[1]
            if value is None:
                models.pop(feature, None)
            else:
                models[feature] = value
            changes["models"] = models
        else:
            changes[name] = value
        sources[key] = source
    return dataclasses.replace(base, **changes) if changes else base


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path}: cannot read ({exc}); its settings are ignored")
        return {}


def load_settings(
    workspace: Path,
    editor: Mapping[str, Any] | None = None,
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> LoadedSettings:
    env = os.environ if env is None else env
    problems: list[str] = []
    sources: dict[str, str] = {}
    settings = Settings()
    pyproject = _read_toml(workspace / "pyproject.toml", problems).get("tool", {}).get("splice", {})
    settings = apply_layer(settings, pyproject, "pyproject.toml [tool.splice]", problems, sources)
    local = _read_toml(workspace / ".splice" / "config.toml", problems)
    settings = apply_layer(settings, local, ".splice/config.toml", problems, sources)
    env_values = {key: env[var] for var, key in ENV_KEYS.items() if env.get(var)}
    settings = apply_layer(settings, env_values, "environment", problems, sources)
    if editor:
        settings = apply_layer(settings, editor, "editor settings", problems, sources)
    if cli:
        settings = apply_layer(
            settings, {k: v for k, v in cli.items() if v is not None}, "command line", problems, sources
        )
    return LoadedSettings(settings, problems, sources)
