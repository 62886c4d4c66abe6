"""Settings: one typed object, read the same way by the server and the CLI.

Layers, lowest to highest: defaults, ``[tool.splice]`` in the workspace's pyproject.toml, ``.splice/config.toml``,
environment variables, editor settings (``initializationOptions`` / ``workspace/didChangeConfiguration``), CLI flags.
Every layer uses the same camelCase dotted keys (``budget.perRequest``), nested tables or flat. Invalid values are
reported as problems and the lower layer's value is kept; API keys are never read from settings, only from the
environment. The two workspace layers set the sensitive keys (``splice.trust.SENSITIVE_KEYS``: model, apiBase,
apiKeyEnv, index.uri, cache.redisUrl, verify.command, ...) only in a trusted workspace; otherwise each ignored key is
named in ``LoadedSettings.notices``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from splice import state
from splice import trust as trust_list

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
    """Seconds one model request may take in total, retries and backoff included (the overall deadline)."""
    connect_timeout: float = 5.0
    """Seconds to open the connection to the model server."""
    first_token_timeout: float = 10.0
    """Seconds without any streamed chunk — before the first one (a dead or overloaded model) and between two."""
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


_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,199}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _model(v: Any) -> str | None:
    """A litellm model string: provider/name characters only (no spaces, quotes, shell or control characters)."""
    value = _opt_str(v)
    if value is not None and not _MODEL.fullmatch(value):
        raise ValueError("not a model name (letters, digits and . _ : / @ + = - only)")
    return value


def _env_name(v: Any) -> str | None:
    value = _opt_str(v)
    if value is not None and not _ENV_NAME.fullmatch(value):
        raise ValueError("not an environment variable name")
    return value


def _url(schemes: tuple[str, ...]) -> Callable[[Any], str | None]:
    def convert(v: Any) -> str | None:
        value = _opt_str(v)
        if value is None:
            return None
        if _CONTROL.search(value) or " " in value:
            raise ValueError("a URL has no spaces or control characters")
        parsed = urllib.parse.urlsplit(value)
        if parsed.scheme not in schemes or not (parsed.netloc or parsed.scheme == "unix"):
            raise ValueError(f"expected a {'/'.join(schemes)} URL")
        return value

    return convert


def _index_uri(v: Any) -> str | None:
    value = _opt_str(v)
    if value is None:
        return None
    if _CONTROL.search(value):
        raise ValueError("control characters in a path")
    if "://" in value and urllib.parse.urlsplit(value).scheme not in ("s3", "gs", "az", "db", "file", "memory"):
        raise ValueError("expected a folder or an s3://, gs://, az://, db:// or file:// URI")
    return value


def _command(v: Any) -> str | None:
    value = _opt_str(v)
    if value is not None and _CONTROL.search(value.replace("\t", " ")):
        raise ValueError("one command line without control characters")
    return value


def _embeddings(v: Any) -> str:
    value = _str(v)
    _model(value)
    return value


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def convert(v: Any) -> str:
        if v not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return str(v)

    return convert


KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "model": ("model", _model),
    "apiBase": ("api_base", _url(("http", "https"))),
    "apiKeyEnv": ("api_key_env", _env_name),
    "temperature": ("temperature", _float),
    "maxTokens": ("max_tokens", _int),
    "timeout": ("timeout", _float),
    "connectTimeout": ("connect_timeout", _float),
    "firstTokenTimeout": ("first_token_timeout", _float),
    "concurrency": ("concurrency", _int),
    "maxRetries": ("max_retries", _int),
    "exclude": ("exclude", _patterns),
    "index.uri": ("index_uri", _index_uri),
    "index.maxFileSize": ("max_file_size", _int),
    "context.budget": ("context_budget", _int),
    "embeddings.model": ("embeddings_model", _embeddings),
    "cache.enabled": ("cache_enabled", _bool),
    "cache.redisUrl": ("cache_redis_url", _url(("redis", "rediss", "unix"))),
    "budget.perRequest": ("budget_per_request", _opt_float),
    "budget.daily": ("budget_daily", _opt_float),
    "verify.command": ("verify_command", _command),
    "verify.maxRounds": ("verify_max_rounds", _int),
    "verify.timeout": ("verify_timeout", _float),
    "review.mode": ("review_mode", _choice(REVIEW_MODES)),
    "review.agent": ("review_agent", _bool),
}
KEYS.update({f"models.{f}": ("models", _model) for f in FEATURES})

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
    trusted: bool = False
    """Whether the workspace's own files could set the sensitive keys."""
    notices: list[str] = field(default_factory=list)
    """What was ignored and why: each sensitive key an untrusted workspace's files set, a ``.splice`` moved aside.
    Front ends show them (CLI stderr, the editor's messages, ``splice doctor``); they are not errors."""


UNTRUSTED_HOW = "trust it with `splice trust`, `--trust`, or VS Code's Workspace Trust to use it"


def untrusted_part(values: Mapping[str, Any], source: str, ignored: list[str]) -> dict[str, Any]:
    """The layer without its sensitive keys; each dropped key is noted in ``ignored``."""
    kept: dict[str, Any] = {}
    for key, value in flatten(values).items():
        if trust_list.is_sensitive(key):
            ignored.append(f"{source}: 'splice.{key}' ignored — the workspace is not trusted ({UNTRUSTED_HOW})")
        else:
            kept[key] = value
    return kept


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


def _read_workspace_toml(workspace: Path, rel: str, problems: list[str]) -> dict[str, Any]:
    path = workspace / rel
    try:
        data = state.read_bytes(path) if rel.startswith(f"{state.STATE}/") else path.read_bytes()
        return tomllib.loads(data.decode("utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path}: cannot read ({exc}); its settings are ignored")
        return {}


def load_settings(
    workspace: Path,
    editor: Mapping[str, Any] | None = None,
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    trusted: bool | None = None,
) -> LoadedSettings:
    """``trusted``: the front end's verdict (VS Code's Workspace Trust, ``--trust``); None = the user's trust list."""
    env = os.environ if env is None else env
    if trusted is None:
        trusted = trust_list.is_trusted(workspace, env)
    problems: list[str] = []
    notices = state.guard(workspace)
    sources: dict[str, str] = {}
    settings = Settings()
    layers = (("pyproject.toml", "pyproject.toml [tool.splice]"), (".splice/config.toml", ".splice/config.toml"))
    for rel, source in layers:
        values = _read_workspace_toml(workspace, rel, problems)
        if rel == "pyproject.toml":
            tool = values.get("tool", {})
            values = tool.get("splice", {}) if isinstance(tool, dict) else {}
            values = values if isinstance(values, dict) else {}
        if not trusted:
            values = untrusted_part(values, source, notices)
        settings = apply_layer(settings, values, source, problems, sources)
    env_values = {key: env[var] for var, key in ENV_KEYS.items() if env.get(var)}
    settings = apply_layer(settings, env_values, "environment", problems, sources)
    if editor:
        settings = apply_layer(settings, editor, "editor settings", problems, sources)
    if cli:
        settings = apply_layer(
            settings, {k: v for k, v in cli.items() if v is not None}, "command line", problems, sources
        )
    return LoadedSettings(settings, problems, sources, trusted, notices)
