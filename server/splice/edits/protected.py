"""Protected paths: files that configure tools which run code (editor tasks, CI, test hooks, package scripts,
agent settings). An edit to one is never blocked silently and never applied without its own confirmation.

Matching is case-insensitive everywhere (CVE-2025-59944 bypassed a case-sensitive check on a case-folding file
system) and covers creation, modification, deletion and renames in or out.
"""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

# (pattern on the lower-cased relative path, reason) — a directory prefix ends with "/".
_DIRECTORIES: tuple[tuple[str, str], ...] = (
    (".vscode/", "editor settings, tasks and launch configs can run commands"),
    (".git/", "git config and hooks run commands"),
    (".github/", "CI workflows and agent/hook settings run code"),
    (".gitlab/", "CI configuration runs code"),
    (".circleci/", "CI configuration runs code"),
    (".buildkite/", "CI configuration runs code"),
    (".husky/", "git hooks run commands"),
    (".devcontainer/", "dev container configs run commands"),
    (".idea/", "IDE run configurations can run commands"),
    (".splice/", "Splice's own state and settings"),
    (".cursor/", "agent settings and MCP servers run commands"),
    (".continue/", "agent settings run commands"),
    (".claude/", "agent settings and hooks run commands"),
)
_NAMES: tuple[tuple[str, str], ...] = (
    ("conftest.py", "pytest imports it automatically"),
    ("setup.py", "runs at build/install time"),
    ("setup.cfg", "build configuration"),
    ("pyproject.toml", "build configuration and hooks"),
    ("sitecustomize.py", "runs at every interpreter start"),
    ("usercustomize.py", "runs at every interpreter start"),
    ("*.pth", "import lines run at every interpreter start"),
    ("noxfile.py", "runs commands"),
    ("tox.ini", "runs commands"),
    ("pytest.ini", "test configuration (plugins, addopts)"),
    ("makefile", "runs commands"),
    ("jenkinsfile", "CI pipeline"),
    (".gitlab-ci.yml", "CI pipeline"),
    ("azure-pipelines.yml", "CI pipeline"),
    ("azure-pipelines.yaml", "CI pipeline"),
    (".travis.yml", "CI pipeline"),
    ("bitbucket-pipelines.yml", "CI pipeline"),
    ("appveyor.yml", "CI pipeline"),
    (".pre-commit-config.yaml", "git hooks run commands"),
    ("package.json", "npm scripts run at install time"),
    (".npmrc", "package manager configuration"),
    (".yarnrc", "package manager configuration"),
    (".yarnrc.yml", "package manager configuration"),
    ("build.rs", "runs at build time"),
    (".envrc", "direnv runs it"),
    (".env", "secrets and environment"),
    (".env.*", "secrets and environment"),
    ("mcp.json", "MCP servers run commands"),
    (".mcp.json", "MCP servers run commands"),
    ("agents.md", "instructions agents follow"),
    ("claude.md", "instructions agents follow"),
    (".cursorrules", "instructions agents follow"),
    ("*.code-workspace", "editor settings and tasks"),
    ("requirements*.txt", "dependencies that get installed"),
    (".gitmodules", "git fetches from these URLs"),
    ("package-lock.json", "lock file"),
    ("yarn.lock", "lock file"),
    ("pnpm-lock.yaml", "lock file"),
    ("poetry.lock", "lock file"),
    ("uv.lock", "lock file"),
)


def protection_reason(rel: str) -> str | None:
    """Why the workspace-relative POSIX path ``rel`` is protected, or None."""
    lowered = rel.casefold().strip("/")
    for prefix, reason in _DIRECTORIES:
        if (lowered + "/").startswith(prefix) or f"/{prefix}" in f"/{lowered}/":
            return f"{prefix} — {reason}"
    name = PurePosixPath(lowered).name
    for pattern, reason in _NAMES:
        if fnmatch.fnmatchcase(name, pattern):
            return f"{pattern} — {reason}"
    return None
