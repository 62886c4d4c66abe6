"""Session memory: recent turns, tool noise, summaries (deterministic and through the gateway), steps, resume."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.fake_llm import FakeLLM, Reply

from splice.features.session import Session, SessionError, gateway_summariser, list_sessions
from splice.llm.gateway import Gateway


def chatty(session: Session, n: int) -> None:
    for i in range(n):
        session.add_turn("user", f"question {i}\nmore detail")
        session.add_turn("user", f"$ pytest\n{'.' * 300}\n1 failed", kind="tool")
        session.add_turn("assistant", f"answer {i}")


def test_recent_turns_leave_tool_output_out() -> None:
    session = Session("add caching", keep_turns=4)
    chatty(session, 3)
    recent = session.recent()
    assert [t.content for t in recent] == ["question 1\nmore detail", "answer 1", "question 2\nmore detail", "answer 2"]
    assert all(t.kind == "message" for t in recent)
    sent = "\n".join(m.content for m in session.messages("sys"))
    assert "pytest" not in sent and "answer 2" in sent


async def test_deterministic_compaction_keeps_first_lines() -> None:
    session = Session("add caching", keep_turns=2)
    chatty(session, 4)
    folded = await session.compact()
    assert folded == 9  # 6 conversational + 3 tool turns older than the last two messages
    assert "- user: question 0" in session.summary and "more detail" not in session.summary
    assert "pytest" not in session.summary
    assert [t.content for t in session.turns] == [
        "question 3\nmore detail",
        "$ pytest\n" + "." * 300 + "\n1 failed",
        "answer 3",
    ]
    assert await session.compact() == 0  # nothing more to fold


async def test_summary_through_the_gateway(fake: FakeLLM, make_gateway: Callable[..., Gateway]) -> None:
    fake.script(Reply(text="- decided: cache in Redis\n- open: TTL"))
    session = Session("add caching", keep_turns=1)
    session.add_turn("user", "use redis? token=ghp_" + "Q" * 36)
    session.add_turn("assistant", "yes")
    session.add_turn("user", "and the TTL?")
    await session.compact(gateway_summariser(make_gateway()))
    assert session.summary == "- decided: cache in Redis\n- open: TTL"
    sent = fake.chat_requests()[0].body["messages"][0]["content"]
    assert "use redis?" in sent and "ghp_" + "Q" * 36 not in sent  # redaction applies to summaries too


def test_steps_current_and_status() -> None:
    session = Session("migrate to pydantic 2")
    session.plan([("models.py", "convert BaseModel configs"), ("api.py", "update validators")])
    assert session.current_step() is not None and session.current_step().id == "s1"  # type: ignore[union-attr]
    session.set_status("s1", "done", "proposal p1 applied")
    session.set_status("s2", "active")
    step = session.current_step()
    assert step is not None and step.id == "s2"
    text = session.messages()[0].content
    assert "s1 [done] models.py" in text and "Current step s2: api.py\nupdate validators" in text
    with pytest.raises(SessionError, match="no step 's9'"):
        session.set_status("s9", "done")
    with pytest.raises(SessionError, match="unknown step status"):
        session.set_status("s1", "finished")


def test_resume_after_restart(tmp_path: Path) -> None:
    session = Session("migrate", id="mig-1")
    session.plan([("a", "x"), ("b", "y")])
    session.set_status("s1", "done")
    session.add_turn("user", "go")
    session.summary = "earlier"
    session.save(tmp_path)
    again = Session.load(tmp_path, "mig-1")
    assert again.to_json() == session.to_json()
    assert again.current_step() is not None and again.current_step().id == "s2"  # type: ignore[union-attr]
    assert list_sessions(tmp_path) == ["mig-1"]
    assert not [p for p in (tmp_path / ".splice" / "sessions").iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read session"),
        (json.dumps({"v": 1, "id": "x"}), "malformed"),
        ("[]", "malformed"),
        (json.dumps({"v": 99}), "format 99"),
    ],
)
def test_corrupt_session_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    folder = tmp_path / ".splice" / "sessions"
    folder.mkdir(parents=True)
    (folder / "bad.json").write_text(content)
    with pytest.raises(SessionError, match=message):
        Session.load(tmp_path, "bad")
    assert (folder / "bad.json").read_text() == content  # left as it was


def test_bad_ids_and_kinds(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="invalid session id"):
        Session.load(tmp_path, "../../etc/passwd")
    with pytest.raises(SessionError, match="invalid session id"):
        Session("t", id="a/b")
    with pytest.raises(SessionError, match="no session"):
        Session.load(tmp_path, "missing")
    with pytest.raises(SessionError, match="unknown turn kind"):
        Session("t").add_turn("user", "x", kind="noise")
