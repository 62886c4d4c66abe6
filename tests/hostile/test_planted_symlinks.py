"""A repository ships ``.splice`` — or planted links inside it — pointing at the user's files. ``splice generate``
(without ``--apply``) and ``splice explain`` write their state (index, cache, usage log, explanations, proposals):
0 bytes may change outside the workspace, and the user is told what was moved aside."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.e2e.test_generate import GOOD_BODY
from tests.fake_llm import FakeLLM, Reply
from tests.hostile.lsp_hostile import real_traceback
from tests.hostile.support import digest, splice, user_env

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example"
# (name under .splice, points at a file or a folder outside)
PLANTED = [
    ("usage.jsonl", "file"),  # the append that reached a shell rc file
    (".gitignore", "file"),
    ("index", "dir"),
    ("cache", "dir"),
    ("explanations", "dir"),
    ("proposals", "dir"),
    ("sessions", "dir"),
    ("context", "dir"),
]


def outside_tree(tmp: Path) -> Path:
    out = tmp / "home-of-user"
    (out / "dir").mkdir(parents=True)
    (out / ".bashrc").write_text("# the user's shell rc\nexport PATH=$HOME/bin:$PATH\n")
    (out / "dir" / "notes.txt").write_text("mine\n")
    return out


def run_everything(root: Path, env: dict[str, str], llm: FakeLLM, explain: bool = True) -> str:
    line = (root / "inventory/reports.py").read_text().splitlines().index("    raise NotImplementedError") + 1
    llm.responder = lambda path, body: Reply(text=GOOD_BODY)
    generated = splice(["generate", f"inventory/reports.py:{line}"], env, root)  # no --apply
    if not explain:
        return generated.stderr
    (root / "trace.txt").write_text(real_traceback(root))
    llm.responder = lambda path, body: Reply(text="### What happened\nA missing tier.\n")
    explained = splice(["explain", "--traceback", "trace.txt"], env, root)
    return generated.stderr + explained.stderr + explained.stdout


def test_links_planted_inside_splice(tmp_path: Path) -> None:
    outside = outside_tree(tmp_path)
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    (root / ".splice").mkdir()
    for name, kind in PLANTED:
        (root / ".splice" / name).symlink_to(outside / (".bashrc" if kind == "file" else "dir"))
    before = digest(outside)
    with FakeLLM() as llm:
        env = user_env(tmp_path / "home", SPLICE_MODEL="openai/fake-model", SPLICE_API_BASE=llm.url)
        said = run_everything(root, env, llm)
        assert len(llm.chat_requests()) == 2, said
    assert digest(outside) == before  # 0 bytes written outside the workspace
    assert "moved" in said and "nothing in it is used" in said
    # Splice's state now lives in real folders inside the workspace
    assert (root / ".splice" / "usage.jsonl").is_file() and not (root / ".splice" / "usage.jsonl").is_symlink()
    assert list((root / ".splice" / "explanations").glob("*.md"))


def test_the_state_folder_itself_is_a_link(tmp_path: Path) -> None:
    outside = outside_tree(tmp_path)
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    (root / ".splice").symlink_to(outside / "dir")
    before = digest(outside)
    with FakeLLM() as llm:
        env = user_env(tmp_path / "home", SPLICE_MODEL="openai/fake-model", SPLICE_API_BASE=llm.url)
        said = run_everything(root, env, llm, explain=False)
    assert digest(outside) == before
    assert "was a link or a file" in said
    assert (root / ".splice").is_dir() and not (root / ".splice").is_symlink()
