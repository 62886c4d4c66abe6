"""The verify sandbox against hostile commands: escapes, network, secrets, floods, hangs, fork bombs, no sandbox.

These run the real /usr/bin/bwrap; they are skipped (with the reason) only when bubblewrap cannot run here at all.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import psutil
import pytest

from splice.config import Settings
from splice.features.generate.sandbox import Limits, Sandbox
from splice.features.generate.verify import VerifyResult, VerifyStatus, verify, verify_with_settings

_PROBLEM = Sandbox().problem()
needs_bwrap = pytest.mark.skipif(_PROBLEM is not None, reason=f"bubblewrap cannot run here: {_PROBLEM}")
VENV = Path(sys.prefix)
PY = str(VENV / "bin" / "python")

STUB = "def add(a, b):\n    raise NotImplementedError\n"
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "calc.py").write_text(STUB)
    (ws / "tests").mkdir()
    (ws / "tests" / "test_calc.py").write_text(TEST)
    (ws / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    (ws / "sentinel.txt").write_text("original\n")
    return ws


def run(ws: Path, command: str, changes: dict[str, str | None] | None = None, **limits: float) -> object:
    return verify(ws, changes or {}, command, trusted=True, limits=Limits(**limits), envs=[VENV])  # type: ignore[arg-type]


@needs_bwrap
def test_passing_proposal_passes_and_real_workspace_is_untouched(workspace: Path) -> None:
    fixed = {"calc.py": "def add(a, b):\n    return a + b\n"}
    result = verify(
        workspace,
        fixed,
        f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {PY} -m pytest -x -q -p no:cacheprovider {{tests}}",
        trusted=True,
        envs=[VENV],
    )
    assert result.status is VerifyStatus.PASSED, result.output
    assert result.exit_code == 0
    assert result.command.endswith(" tests/test_calc.py")
    assert "1 passed" in result.output
    assert (workspace / "calc.py").read_text() == STUB


@needs_bwrap
def test_failing_proposal_fails_with_the_test_output(workspace: Path) -> None:
    wrong = {"calc.py": "def add(a, b):\n    return a - b\n"}
    result = verify(
        workspace,
        wrong,
        f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {PY} -m pytest -x -q -p no:cacheprovider {{tests}}",
        trusted=True,
        envs=[VENV],
    )
    assert result.status is VerifyStatus.FAILED
    assert result.exit_code == 1
    assert "assert -1 == 5" in result.output


@needs_bwrap
def test_hanging_command_is_killed_with_its_whole_process_tree(workspace: Path) -> None:
    token = f"{int(uuid.uuid4().int % 10**6) + 10**6}.25"
    command = f"(sleep {token} &) ; sh -c 'sleep {token}' & sleep {token}"
    result = verify(workspace, {}, command, trusted=True, limits=Limits(timeout=1.0))
    assert result.status is VerifyStatus.TIMEOUT
    assert result.exit_code is None
    assert "timed out after 1 s" in result.reason
    survivors: list[psutil.Process] = []
    for _ in range(50):  # namespace teardown is asynchronous: give the kernel a moment
        survivors = [p for p in psutil.process_iter(["cmdline"]) if token in " ".join(p.info["cmdline"] or [])]
        if not survivors:
            break
        time.sleep(0.1)
    assert survivors == []


@needs_bwrap
def test_output_flood_is_cut_and_kept_bounded(workspace: Path) -> None:
    limits = Limits(timeout=30, output_bytes=300_000, keep_bytes=2_000)
    result = verify(workspace, {}, "echo FIRST-LINE; yes flood", trusted=True, limits=limits)
    assert result.status is VerifyStatus.KILLED
    assert "output exceeded 300000 bytes" in result.reason
    assert result.truncated
    assert result.output.startswith("FIRST-LINE\nflood")
    assert "bytes of output omitted" in result.output
    assert len(result.output) < 2_200


@needs_bwrap
def test_writes_outside_the_copy_do_not_reach_the_host(workspace: Path, tmp_path: Path) -> None:
    host_tmp = Path("/tmp") / f"splice-escape-{uuid.uuid4().hex}"
    beside = tmp_path / "beside.txt"
    command = (
        f"echo pwned > {workspace}/sentinel.txt; echo pwned > {host_tmp}; echo pwned > {beside}; "
        f"mkdir -p {workspace}/.git/hooks; echo pwned > {workspace}/.git/hooks/pre-commit; "
        f"cat {workspace}/sentinel.txt"
    )
    result = verify(workspace, {}, command, trusted=True)
    assert "pwned" in result.output  # the write succeeded — inside the copy
    assert (workspace / "sentinel.txt").read_text() == "original\n"
    assert not host_tmp.exists()
    assert not beside.exists()
    assert not (workspace / ".git").exists()


@needs_bwrap
def test_no_network_even_to_the_hosts_loopback(workspace: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    port = server.getsockname()[1]
    script = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "    print('CONNECTED')\n"
        "except OSError as e:\n"
        "    print('BLOCKED', e)\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 80), timeout=3)\n"
        "    print('CONNECTED-OUT')\n"
        "except OSError as e:\n"
        "    print('BLOCKED-OUT', e)\n"
    )
    try:
        result = run(workspace, f'{PY} -c "{script}"')
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    assert result.status is VerifyStatus.PASSED, result.output  # type: ignore[attr-defined]
    assert "BLOCKED" in result.output and "CONNECTED" not in result.output  # type: ignore[attr-defined]
    assert "BLOCKED-OUT" in result.output  # type: ignore[attr-defined]


@needs_bwrap
def test_environment_is_cleared(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPENAI_API_KEY", canary)
    monkeypatch.setenv("SPLICE_TEST_SECRET", canary)
    result = verify(workspace, {}, "env; echo HOME=$HOME", trusted=True)
    assert result.status is VerifyStatus.PASSED
    assert canary not in result.output
    assert "OPENAI_API_KEY" not in result.output
    assert "HOME=/tmp" in result.output


@needs_bwrap
def test_secret_files_and_host_home_are_not_visible(workspace: Path) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    (workspace / ".env").write_text(f"API_KEY={canary}\n")
    (workspace / ".env.local").write_text(f"API_KEY={canary}\n")
    (workspace / ".gitignore").write_text("secrets/\n")
    (workspace / "secrets").mkdir()
    (workspace / "secrets" / "token.txt").write_text(canary)
    command = f"ls -a; cat .env .env.local secrets/token.txt; ls {Path.home()}; cat /etc/shadow; echo done"
    result = verify(workspace, {}, command, trusted=True)
    assert result.ran
    assert canary not in result.output
    assert "calc.py" in result.output and "done" in result.output
    assert ".env" not in result.output.split("cat:")[0]  # not listed by `ls -a`


@needs_bwrap
def test_fork_bomb_is_bounded_by_the_process_limit(workspace: Path) -> None:
    script = (
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    for _ in range(500):\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "            os._exit(0)\n"
        "        n += 1\n"
        "    print('UNBOUNDED', n)\n"
        "except OSError as e:\n"
        "    print('BOUNDED', n, e.errno)\n"
    )
    result = verify(
        workspace, {}, f'{PY} -c "{script}"', trusted=True, limits=Limits(timeout=20, processes=24), envs=[VENV]
    )
    assert "BOUNDED" in result.output and "UNBOUNDED" not in result.output, result.output
    count = int(result.output.split("BOUNDED", 1)[1].split()[0])
    assert count < 24


@needs_bwrap
def test_memory_limit_applies(workspace: Path) -> None:
    script = "b = bytearray(1 << 30); print('ALLOCATED')"
    result = verify(
        workspace, {}, f'{PY} -c "{script}"', trusted=True, limits=Limits(memory_bytes=256 << 20), envs=[VENV]
    )
    assert result.status is VerifyStatus.FAILED
    assert "MemoryError" in result.output and "ALLOCATED" not in result.output


@needs_bwrap
def test_cancel_kills_the_run(workspace: Path) -> None:
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    result = verify(workspace, {}, "sleep 60", trusted=True, cancel=cancel)
    assert result.status is VerifyStatus.KILLED
    assert "cancelled" in result.reason


@needs_bwrap
def test_node_modules_is_shared_read_only(workspace: Path) -> None:
    (workspace / "node_modules" / "lib").mkdir(parents=True)
    (workspace / "node_modules" / "lib" / "index.js").write_text("module.exports = 1;\n")
    result = verify(workspace, {}, "cat node_modules/lib/index.js; echo x > node_modules/lib/index.js", trusted=True)
    assert "module.exports = 1;" in result.output
    assert result.status is VerifyStatus.FAILED  # the write is refused: read-only file system
    assert (workspace / "node_modules" / "lib" / "index.js").read_text() == "module.exports = 1;\n"


@needs_bwrap
def test_settings_drive_command_and_timeout(workspace: Path) -> None:
    settings = Settings(verify_command="test -f {files} && echo OK {files}", verify_timeout=30.0)
    result = verify_with_settings(workspace, {"new dir/new file.py": "x = 1\n"}, settings, trusted=True)
    assert result.status is VerifyStatus.PASSED
    assert "OK new dir/new file.py" in result.output
    assert result.command == "test -f 'new dir/new file.py' && echo OK 'new dir/new file.py'"


# -- never run: refused or unavailable ---------------------------------------------------------------------------


def _marker_command(marker: Path) -> str:
    return f"touch {marker}"


def test_untrusted_workspace_is_refused(workspace: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = verify(workspace, {}, _marker_command(marker), trusted=False)
    assert result.status is VerifyStatus.REFUSED
    assert "not trusted" in result.reason
    assert not result.ran and not marker.exists()


def test_missing_command_is_refused(workspace: Path) -> None:
    result = verify_with_settings(workspace, {}, Settings(), trusted=True)
    assert result.status is VerifyStatus.REFUSED
    assert "splice.verify.command" in result.reason


def test_missing_bwrap_means_unavailable_and_nothing_runs(workspace: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    sandbox = Sandbox(bwrap=tmp_path / "no-such-bwrap")
    result = verify(workspace, {}, _marker_command(marker), trusted=True, sandbox=sandbox)
    assert result.status is VerifyStatus.UNAVAILABLE
    assert "bubblewrap is not installed" in result.reason
    assert "apt-get install bubblewrap" in result.reason
    assert not marker.exists()


def test_failing_probe_means_unavailable_and_only_the_probe_ran(workspace: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    log = tmp_path / "bwrap-calls.log"
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n')
    fake.chmod(0o755)
    result = verify(workspace, {}, _marker_command(marker), trusted=True, sandbox=Sandbox(bwrap=fake))
    assert result.status is VerifyStatus.UNAVAILABLE
    assert "setting up uid map: Permission denied" in result.reason
    assert "unprivileged user namespaces" in result.reason
    assert not marker.exists()
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and str(marker) not in calls[0]


def test_bwrap_inside_the_workspace_is_not_trusted(workspace: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    fake = workspace / "bwrap"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake.chmod(0o755)
    sandbox = Sandbox(bwrap=fake, forbidden_roots=(workspace,))
    result = verify(workspace, {}, "true", trusted=True, sandbox=sandbox)
    assert result.status is VerifyStatus.UNAVAILABLE
    assert "inside the workspace" in result.reason
    assert not marker.exists()


def test_bad_change_path_is_refused_before_running(workspace: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = verify(workspace, {"../escape.py": "x"}, _marker_command(marker), trusted=True)
    assert result.status in (VerifyStatus.REFUSED, VerifyStatus.UNAVAILABLE)
    assert not marker.exists() and not (tmp_path / "escape.py").exists()
    if _PROBLEM is None:
        assert "workspace-relative" in result.reason


def test_probe_result_is_cached(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    fake = tmp_path / "bwrap"
    fake.write_text(f"#!/bin/sh\necho x >> {log}\nexit 1\n")
    fake.chmod(0o755)
    sandbox = Sandbox(bwrap=fake)
    first, second = sandbox.problem(), sandbox.problem()
    assert first is not None and first == second
    assert len(log.read_text().splitlines()) == 1


def test_unprivileged_command_line_uses_a_user_namespace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from splice.features.generate.sandbox import Mounts

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    argv = Sandbox().command_line(["true"], Mounts(tmp_path, Path("/ws")), Limits(processes=7))
    assert "--unshare-user" in argv and "--disable-userns" in argv
    assert "--cap-add" not in argv and "/usr/bin/setpriv" not in argv
    assert "--nproc=7" in argv
    assert argv[argv.index("--bind") + 1 : argv.index("--bind") + 3] == [str(tmp_path), "/ws"]
    assert "--clearenv" in argv and "--new-session" in argv and "--die-with-parent" in argv


def test_bwrap_vanishing_after_the_probe_is_unavailable(workspace: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    sandbox = Sandbox(bwrap=fake)
    assert sandbox.problem() is None
    fake.unlink()
    result = verify(workspace, {}, _marker_command(marker), trusted=True, sandbox=sandbox)
    assert result.status is VerifyStatus.UNAVAILABLE
    assert not marker.exists()


@needs_bwrap
def test_workspace_virtualenv_is_found_mounted_read_only_and_first_on_path(workspace: Path) -> None:
    base = Path(sys.base_prefix)
    python = base / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not python.exists():
        pytest.skip(f"no interpreter at {python} to build a virtualenv around")
    venv = workspace / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {base / 'bin'}\ninclude-system-site-packages = false\n")
    (venv / "bin" / "python").symlink_to(python)
    command = 'python -c "import sys; print(sys.prefix)"; echo x > .venv/written; echo VIRTUAL_ENV=$VIRTUAL_ENV'
    result = verify(workspace, {}, command, trusted=True)
    assert result.ran
    assert f"{venv}\n" in result.output
    assert f"VIRTUAL_ENV={venv}" in result.output
    assert not (venv / "written").exists()


@needs_bwrap
def test_silent_hang_after_closing_output_still_times_out(workspace: Path) -> None:
    result = verify(workspace, {}, "exec >/dev/null 2>&1; sleep 60", trusted=True, limits=Limits(timeout=1.0))
    assert result.status is VerifyStatus.TIMEOUT
    assert result.exit_code is None


@needs_bwrap
def test_files_beside_the_workspace_and_the_callers_home_are_invisible(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(canary)
    monkeypatch.setenv("HOME", str(home))
    command = f"cat {home}/.ssh/id_rsa; cat ~/.ssh/id_rsa; ls {tmp_path}; echo done"
    result = verify(workspace, {}, command, trusted=True)
    assert "done" in result.output
    assert canary not in result.output
    assert "No such file or directory" in result.output


@needs_bwrap
def test_verify_loop_with_the_real_sandbox_fails_then_passes(workspace: Path) -> None:
    from splice.features.generate.loop import verify_loop

    answers = [{"calc.py": "def add(a, b):\n    return a - b\n"}, {"calc.py": "def add(a, b):\n    return a + b\n"}]
    feedback: list[str | None] = []

    def propose(text: str | None) -> dict[str, str | None] | None:
        feedback.append(text)
        return answers.pop(0) if answers else None

    def check(changes: Mapping[str, str | None]) -> VerifyResult:
        command = f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 {PY} -m pytest -x -q -p no:cacheprovider {{tests}}"
        return verify(workspace, changes, command, trusted=True, envs=[VENV])

    outcome = verify_loop(propose, check, max_rounds=3)
    assert outcome.passed, outcome.verdict
    assert [r.result.status for r in outcome.rounds] == [VerifyStatus.FAILED, VerifyStatus.PASSED]
    assert feedback[1] is not None and "assert -1 == 5" in feedback[1]
    assert (workspace / "calc.py").read_text() == STUB


@needs_bwrap
def test_missing_workspace_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = verify(tmp_path / "nope", {}, _marker_command(marker), trusted=True)
    assert result.status is VerifyStatus.REFUSED
    assert "cannot prepare the copy" in result.reason
    assert not marker.exists()
