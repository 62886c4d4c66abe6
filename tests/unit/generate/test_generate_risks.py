"""Risky constructs in generated code are flagged on added lines only, per category."""

from __future__ import annotations

import pytest

from splice.features.generate.risks import RiskKind, risks_in, summary

K = RiskKind

CASES: list[tuple[str, str, set[RiskKind]]] = [
    ("py-requests", "    r = requests.get(url)", {K.NETWORK}),
    ("py-socket", "s = socket.create_connection(('h', 1))", {K.NETWORK}),
    ("js-fetch", "const r = await fetch('https://x');", {K.NETWORK}),
    ("go-http", "resp, err := http.Get(u)", {K.NETWORK}),
    ("rust-reqwest", "let body = reqwest::get(u).await?;", {K.NETWORK}),
    ("py-subprocess", "subprocess.run(['ls'])", {K.PROCESS}),
    ("py-os-system", "os.system('make')", {K.PROCESS}),
    ("js-child", "const { execSync } = require('child_process');", {K.PROCESS}),
    ("go-exec", 'cmd := exec.Command("sh")', {K.PROCESS}),
    ("java-runtime", "Runtime.getRuntime().exec(cmd);", {K.PROCESS}),
    ("py-rmtree", "shutil.rmtree(path)", {K.DELETION}),
    ("py-unlink", "Path(p).unlink()", {K.DELETION}),
    ("js-rm", "fs.rmSync(dir, { recursive: true });", {K.DELETION}),
    ("go-removeall", "os.RemoveAll(dir)", {K.DELETION}),
    ("py-eval", "value = eval(text)", {K.DYNAMIC_CODE}),
    ("py-pickle", "obj = pickle.loads(blob)", {K.DYNAMIC_CODE}),
    ("py-yaml-unsafe", "cfg = yaml.load(f)", {K.DYNAMIC_CODE}),
    ("js-function", "const f = new Function('a', body);", {K.DYNAMIC_CODE}),
    ("py-secret-literal", "API_KEY = 'abcd1234efgh5678'", {K.CREDENTIALS}),
    ("aws-key", "key = 'AKIAIOSFODNN7EXAMPLE'", {K.CREDENTIALS}),
    ("env-token", "token = os.environ['GITHUB_TOKEN']", {K.CREDENTIALS}),
    ("ssh-dir", "open(os.path.expanduser('~/.ssh/id_rsa'))", {K.CREDENTIALS}),
    ("plain", "total = sum(x.price for x in items)", set()),
    ("method-named-exec", "cursor.execute(sql)", set()),
    ("yaml-safe", "cfg = yaml.load(f, Loader=yaml.SafeLoader)", set()),
    ("comment", "# we never call subprocess.run here", set()),
    ("short-password-var", "password = ''", set()),
]


@pytest.mark.parametrize(("line", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_patterns(line: str, expected: set[RiskKind]) -> None:
    assert {r.kind for r in risks_in("f", None, line + "\n")} == expected


def test_only_added_lines_count() -> None:
    old = "import subprocess\n\ndef f():\n    subprocess.run(['ls'])\n"
    new = old + "\ndef g():\n    shutil.rmtree(p)\n"
    (risk,) = risks_in("m.py", old, new)
    assert (risk.kind, risk.line, risk.text) == (K.DELETION, 6, "shutil.rmtree(p)")


def test_deleted_file_and_summary() -> None:
    assert risks_in("m.py", "os.system('x')\n", None) == []
    risks = risks_in("m.py", None, "requests.get(u)\nrequests.post(u)\nos.system('x')\n")
    assert summary(risks) == "network (2), process (1)"
    assert summary([]) == ""
