"""``splice doctor`` runs each dependency for real: grammars, the index store, the sandbox and the model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.fake_llm import FakeLLM, Reply


def doctor(workspace: Path, env: dict[str, str]) -> tuple[int, dict[str, object]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPLICE_", "OPENAI_"))}
    done = subprocess.run(
        [sys.executable, "-m", "splice", "doctor", "--workspace", str(workspace), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, **env},
    )
    return done.returncode, json.loads(done.stdout)


def by_name(report: dict[str, object]) -> dict[str, dict[str, str]]:
    return {c["name"]: c for c in report["checks"]}  # type: ignore[index, union-attr]


def test_doctor_with_a_reachable_model(tmp_path: Path) -> None:
    with FakeLLM() as llm:
        llm.script(Reply(text="OK"))
        code, report = doctor(tmp_path, {"SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": llm.url})
        assert len(llm.chat_requests()) == 1
    checks = by_name(report)
    assert checks["grammar python"]["status"] == "pass" and checks["LanceDB"]["status"] == "pass"
    assert checks["model"]["status"] == "pass" and "fake-model" in checks["model"]["detail"]
    assert checks["MCP server"]["status"] == "pass" and "context, search_symbols" in checks["MCP server"]["detail"]
    assert code == (1 if report["failed"] else 0)


def test_doctor_reports_an_unreachable_model_with_a_fix(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, report = doctor(
        tmp_path, {"SPLICE_MODEL": "openai/fake-model", "SPLICE_API_BASE": f"http://127.0.0.1:{port}/v1"}
    )
    model = by_name(report)["model"]
    assert model["status"] == "fail" and model["fix"]
    assert code == 1
