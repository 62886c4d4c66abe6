"""``splice migrate`` as a user runs it (in-process ``splice.cli.main``), the model being the fake server reached
through the real litellm path: plan → review → apply to the end → abort, and the bad inputs of the issue."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fake_llm import FakeLLM, Reply

from splice.cli import main
from splice.features.migrate.rules import packs_for_target
from splice.features.migrate.service import Migrator

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "migrate"

TIMEOUT_ANSWER = """httpx names its timeout error TimeoutException.

shop/transport.py
```python
<<<<<<< SEARCH
    except requests.exceptions.Timeout:
=======
    except httpx.TimeoutException:
>>>>>>> REPLACE
```
"""
REDIRECT_ANSWER = """httpx calls allow_redirects follow_redirects.

shop/catalog.py
```python
<<<<<<< SEARCH
        reply = self.session.get(f"{self.base}/stock/{sku}", allow_redirects=True)
=======
        reply = self.session.get(f"{self.base}/stock/{sku}", follow_redirects=True)
>>>>>>> REPLACE
```
"""
MISPLACED_ANSWER = """Here you go.

shop/transport.py
```python
<<<<<<< SEARCH
    except requests.TimeoutError:
=======
    except httpx.TimeoutException:
>>>>>>> REPLACE
```
"""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURE, root)
    for key in ("SPLICE_MODEL", "SPLICE_API_BASE", "OPENAI_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(root)
    yield root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["migrate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def plan(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code, out, err = run(capsys, "plan", "--to", "requests to httpx", "--rules", "requests-to-httpx", "--json", *extra)
    assert code == 0, err
    return str(json.loads(out)["id"])


def model(monkeypatch: pytest.MonkeyPatch, llm: FakeLLM) -> None:
    monkeypatch.setenv("SPLICE_MODEL", "openai/fake-model")
    monkeypatch.setenv("SPLICE_API_BASE", llm.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake")


def test_a_project_migration_runs_to_the_end_through_review_and_aborts(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p: (shop / p).read_text() for p in ("shop/transport.py", "shop/catalog.py")}
    code, out, err = run(capsys, "plan", "--to", "requests to httpx", "--rules", "requests-to-httpx")
    assert code == 0, err
    assert "rule requests-call: 2" in out and "residue (no rewriting rule; model steps): 2" in out
    mid = next(line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith("Migration "))
    plan_md = (shop / ".splice/migrations" / mid / "plan.md").read_text()
    assert "- [ ] s1 rule: requests-import" in plan_md and "- [ ] s4 model: shop/transport.py" in plan_md

    # without --apply: the first step's diff, nothing written
    code, out, err = run(capsys, "run", mid)
    assert code == 0 and "-import requests\n+import httpx\n" in out and "re-run with --apply" in err
    assert {p: (shop / p).read_text() for p in before} == before

    with FakeLLM() as llm:
        llm.script(Reply(text=TIMEOUT_ANSWER), Reply(text=REDIRECT_ANSWER))
        model(monkeypatch, llm)
        code, out, err = run(capsys, "run", mid, "--apply")
        assert code == 0, err
        prompts = [r.body["messages"][-1]["content"] for r in llm.chat_requests()]
    assert "finished: 0 site(s) left" in err
    transport = (shop / "shop/transport.py").read_text()
    assert "import httpx" in transport and "httpx.get(url" in transport and "except httpx.TimeoutException" in transport
    assert "follow_redirects=True" in (shop / "shop/catalog.py").read_text()
    # model steps: one file each, definitions first (catalog imports transport), with what earlier steps did
    assert len(prompts) == 2 and "# Task: migrate shop/transport.py" in prompts[0]
    assert "- s4 [done]" in prompts[1] and "s4 changed shop/transport.py" in prompts[1]
    assert "line 17: call requests.Session.get" in prompts[1]  # found through self.session's attribute chain

    code, out, _ = run(capsys, "status", mid, "--json")
    status = json.loads(out)
    assert status["state"] == "finished" and status["sites"] == []
    assert [s["status"] for s in status["steps"]] == ["done"] * 5
    assert status["steps"][3]["prompt_tokens"] > 0

    code, out, err = run(capsys, "abort", mid, "--apply")
    assert code == 0, err
    assert {p: (shop / p).read_text() for p in before} == before
    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out)[0]["state"] == "aborted"


def test_nothing_to_migrate_says_what_was_searched(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", "--to", "flask to fastapi")
    assert code == 2
    assert "nothing to migrate: searched nothing (no old API named and no rules)" in err and "--old NAME" in err
    assert "the workspace imports none of: flask" in err
    code, _, err = run(capsys, "plan", "--to", "move off it", "--old", "urllib3")
    assert code == 2 and "searched uses of urllib3 in the symbol graph" in err


def test_a_rule_file_that_does_not_parse_is_named_with_its_line(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (shop / "bad.yml").write_text(
        "id: ok\nlanguage: python\nrule: {pattern: requests.get($A)}\n---\n"
        "id: broken\nlanguage: python\nrule:\n  patern: requests.post($A)\n"
    )
    code, _, err = run(capsys, "plan", "--to", "requests to httpx", "--rules", "bad.yml")
    assert code == 2 and "bad.yml:7: rule 'broken': unknown field `patern`" in err
    assert not (shop / ".splice/migrations").exists() or not any((shop / ".splice/migrations").iterdir())


def test_two_migrations_on_the_same_files_are_refused(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = plan(capsys)
    code, _, err = run(capsys, "plan", "--to", "requests to niquests", "--old", "requests")
    assert code == 2 and f"migration {first} is already working on some of these files" in err


def test_an_answer_that_fails_to_place_leaves_the_step_pending_with_the_reason(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mid = plan(capsys)
    assert run(capsys, "run", mid, "--apply", "--steps", "3")[0] == 0
    after_rules = (shop / "shop/transport.py").read_text()
    with FakeLLM() as llm:
        llm.script(Reply(text=MISPLACED_ANSWER))
        model(monkeypatch, llm)
        code, _, err = run(capsys, "run", mid, "--apply", "--steps", "1")
    assert code == 2 and "the model's answer did not place" in err
    assert (shop / "shop/transport.py").read_text() == after_rules  # nothing partial
    code, out, _ = run(capsys, "status", mid, "--json")
    s4 = json.loads(out)["steps"][3]
    assert s4["status"] == "pending" and s4["attempts"] == 1 and "did not place" in s4["reason"]
    assert s4["prompt_tokens"] > 0  # what the refused answer cost is still counted


def test_a_hand_edited_migration_folder_is_reported_not_a_crash(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mid = plan(capsys)
    ledger = shop / ".splice/migrations" / mid / "ledger.json"
    ledger.write_text(ledger.read_text()[:200])  # cut short, as an editor crash or a bad merge leaves it
    code, _, err = run(capsys, "status", mid)
    assert code == 2 and f"migration {mid}: ledger.json cannot be read" in err
    code, out, _ = run(capsys, "status")
    assert code == 0 and f"{mid}  unreadable:" in out
    ledger.unlink()
    code, _, err = run(capsys, "run", mid)
    assert code == 2 and "has no ledger.json" in err


def test_a_stop_between_writing_and_recording_resumes_to_the_same_result(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = shop.parent / "reference"
    shutil.copytree(FIXTURE, reference)
    monkeypatch.chdir(reference)
    plan(capsys)
    assert run(capsys, "run", "--apply", "--steps", "3")[0] == 0
    monkeypatch.chdir(shop)
    mid = plan(capsys)

    def killed(self: Migrator, m: object, step: object) -> object:
        raise SystemExit(137)  # the files are written, the ledger still says "applying"

    with monkeypatch.context() as patch:
        patch.setattr(Migrator, "complete", killed)
        with pytest.raises(SystemExit):
            main(["migrate", "run", mid, "--apply", "--steps", "1"])
    capsys.readouterr()
    ledger = json.loads((shop / ".splice/migrations" / mid / "ledger.json").read_text())
    assert ledger["steps"][0]["status"] == "applying"
    code, _, err = run(capsys, "resume", mid, "--apply", "--steps", "3")
    assert code == 0, err
    for rel in ("shop/transport.py", "shop/catalog.py"):
        assert (shop / rel).read_text() == (reference / rel).read_text()
    steps = json.loads(run(capsys, "status", mid, "--json")[1])["steps"]
    assert [s["status"] for s in steps[:3]] == ["done"] * 3 and steps[0]["attempts"] == 1


def test_a_user_edit_after_the_proposal_is_kept(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mid = plan(capsys)
    assert run(capsys, "run", mid)[0] == 0  # s1 proposed, not applied
    path = shop / "shop/transport.py"
    path.write_text(path.read_text().replace("DEFAULT_TIMEOUT = 10", "DEFAULT_TIMEOUT = 30"))
    code, _, err = run(capsys, "run", mid, "--apply", "--steps", "1")
    assert code == 0, err
    text = path.read_text()
    assert "DEFAULT_TIMEOUT = 30" in text and "import httpx" in text


def test_a_hanging_verify_command_is_stopped_and_the_step_stays_pending(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from splice.trust import trust

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    trust(shop)  # a workspace's own verify command runs only once the user trusted it
    (shop / ".splice").mkdir(exist_ok=True)
    (shop / ".splice/config.toml").write_text('[verify]\ncommand = "sleep 600"\ntimeout = 2\nmaxRounds = 1\n')
    mid = plan(capsys)
    before = (shop / "shop/transport.py").read_text()
    code, _, err = run(capsys, "run", mid, "--apply", "--steps", "1")
    if "verify did not run" in err:
        pytest.skip(f"no working sandbox here: {err.splitlines()[-1]}")
    assert code == 2 and "`sleep 600` timeout" in err, err
    assert (shop / "shop/transport.py").read_text() == before  # nothing written
    steps = json.loads(run(capsys, "status", mid, "--json")[1])["steps"]
    assert steps[0]["status"] == "pending" and "timeout" in steps[0]["reason"]


def test_doctor_runs_the_tools_an_active_plan_lists(
    shop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from splice.trust import trust

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (shop / ".splice").mkdir(exist_ok=True)
    (shop / ".splice/config.toml").write_text('[verify]\ncommand = "false"\n')
    trust(shop)
    mid = plan(capsys)
    code = main(["doctor", "--json", "--workspace", str(shop)])
    checks = json.loads(capsys.readouterr().out)["checks"]
    tool = next(c for c in checks if c["name"] == f"migration {mid} tool")
    if "unavailable" in tool["detail"]:
        pytest.skip(f"no working sandbox here: {tool['detail']}")
    assert code == 1 and tool["status"] == "fail" and tool["detail"].startswith("`false` failed")


def test_a_target_a_shipped_pack_names_gets_its_rules_without_rules_flag(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "plan", "--to", "requests to httpx")
    assert code == 0, err
    assert "rule requests-call: 2" in out  # the shipped requests-to-httpx pack, chosen by the target's words
    assert packs_for_target("Requests -> HTTPX") == ["requests-to-httpx"]
    assert packs_for_target("unittest to pytest") == ["unittest-to-pytest"]
    assert packs_for_target("six to Python 3") == ["six-to-python3"] == packs_for_target("six to py3")
    assert packs_for_target("flask to fastapi") == [] and packs_for_target("no direction here") == []
