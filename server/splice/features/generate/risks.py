"""Risky content in generated code: network, processes, file deletion, dynamic code, credentials — as warnings.

A deterministic floor under the optional review agent: only lines the proposal *adds* are scanned, by pattern, per
category. It flags for a human to look; it is not a defence (an injected backdoor in ordinary code passes it), and
it says so in the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from splice.edits.diff import changed_blocks


class RiskKind(StrEnum):
    NETWORK = "network"
    PROCESS = "process"
    DELETION = "file deletion"
    DYNAMIC_CODE = "dynamic code"
    CREDENTIALS = "credentials"


@dataclass(frozen=True, slots=True)
class Risk:
    kind: RiskKind
    path: str
    line: int
    """0-based line in the new text."""
    text: str
    """The added line, stripped."""
    why: str


_RULES: list[tuple[RiskKind, str, re.Pattern[str]]] = [
    (
        RiskKind.NETWORK,
        "opens a network connection",
        re.compile(
            r"\b(requests|httpx|aiohttp|urllib3?|http\.client|socket|ftplib|smtplib|paramiko)\.\w|"
            r"\bfetch\(|\baxios\b|\bXMLHttpRequest\b|\bWebSocket\(|\bnet\.(Dial|Listen)|\bhttp\.(Get|Post|NewRequest)\b|"
            r"\breqwest::|\bTcpStream::|\bHttpClient\b|\bnew URL\([^)]*\)\.openConnection|"
            r"\bimport (requests|socket|httpx)\b"
        ),
    ),
    (
        RiskKind.PROCESS,
        "starts a process",
        re.compile(
            r"\bsubprocess\.|\bos\.(system|popen|exec\w*|spawn\w*)\(|\bpty\.spawn\(|\bchild_process\b|"
            r"\b(execSync|spawnSync|execFile)\(|\bexec\.Command\(|\bprocess::Command\b|\bCommand::new\(|"
            r"\bRuntime\.getRuntime\(\)\.exec|\bProcessBuilder\b"
        ),
    ),
    (
        RiskKind.DELETION,
        "deletes files",
        re.compile(
            r"\bshutil\.rmtree\(|\bos\.(remove|unlink|rmdir|removedirs)\(|\.unlink\(|\.rmdir\(|"
            r"\bfs\.(rm|rmSync|unlink|unlinkSync|rmdir|rmdirSync)\(|\brimraf\b|\bos\.RemoveAll\(|\bos\.Remove\(|"
            r"\bremove_(dir_all|file)\(|\bFiles\.delete(IfExists)?\(|\brm -rf\b"
        ),
    ),
    (
        RiskKind.DYNAMIC_CODE,
        "runs code built at run time",
        re.compile(
            r"(?<![\w.])(eval|exec)\(|\bnew Function\(|\b__import__\(|\bimportlib\.import_module\(|"
            r"\bpickle\.loads?\(|\bmarshal\.loads\(|\byaml\.load\((?![^)]*SafeLoader)|\bb64decode\(|\batob\("
        ),
    ),
    (
        RiskKind.CREDENTIALS,
        "touches credentials",
        re.compile(
            r"\b\w*(api[_-]?key|secret|token|password|passwd|credential)\w*\b\s*[:=]\s*['\"][^'\"]{8,}['\"]|"
            r"\bAKIA[0-9A-Z]{16}\b|\bsk-[A-Za-z0-9_-]{20,}|\bgh[pousr]_[A-Za-z0-9]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY|"
            r"(os\.environ|process\.env|getenv)\W*[\w\[\('\"]*(key|secret|token|password)|\.ssh/|\.aws/credentials",
            re.IGNORECASE,
        ),
    ),
]
_COMMENT = re.compile(r"^\s*(#|//|/\*|\*|--)")


def risks_in(path: str, old_text: str | None, new_text: str | None) -> list[Risk]:
    """Risky constructs on the lines ``new_text`` adds to ``old_text`` (None: a new or deleted file)."""
    if new_text is None:
        return []
    old = (old_text or "").splitlines()
    new = new_text.splitlines()
    found: list[Risk] = []
    for tag, _, _, j1, j2 in changed_blocks(old, new):
        if tag not in ("insert", "replace"):
            continue
        for number in range(j1, j2):
            line = new[number]
            if _COMMENT.match(line):
                continue
            for kind, why, pattern in _RULES:
                if pattern.search(line):
                    found.append(Risk(kind, path, number, line.strip(), why))
    return found


def summary(risks: list[Risk]) -> str:
    """One line for the review UI: ``network (2), process (1)``; empty when nothing was found."""
    counts: dict[RiskKind, int] = {}
    for risk in risks:
        counts[risk.kind] = counts.get(risk.kind, 0) + 1
    return ", ".join(f"{kind.value} ({n})" for kind, n in counts.items())
