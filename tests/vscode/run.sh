#!/usr/bin/env bash
# End-to-end test of the Splice VS Code extension in a real VS Code (code-server 4.139.1, Code 1.139), driven
# headless through playwright-core and Debian chromium, loopback only, with the fake model server.
#
#   tests/vscode/run.sh            (make e2e-vscode)
#
# Needs the Debian packages chromium and libkrb5-dev. The first run builds code-server into .tools/vscode-e2e
# (8-16 minutes: native modules); later runs reuse it. Prints the screenshot folder; exits non-zero on failure.
# Environment: SPLICE_PYTHON (default <repo>/.venv/bin/python), E2E_CHROMIUM (default /usr/bin/chromium),
# E2E_SHOTS (default tests/vscode/screenshots), E2E_TOOLS (default .tools/vscode-e2e), E2E_VSIX (test this .vsix
# instead of building one), E2E_KEEP=1 keeps the temporary folder for inspection.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/tests/vscode"
tools="${E2E_TOOLS:-$repo/.tools/vscode-e2e}"  # E2E_TOOLS: another prefix (a CI cache)
python="${SPLICE_PYTHON:-$repo/.venv/bin/python}"
chromium="${E2E_CHROMIUM:-/usr/bin/chromium}"
shots="${E2E_SHOTS:-$here/screenshots}"

fail() { echo "e2e-vscode: $*" >&2; exit 1; }
[ -x "$python" ] || fail "no Python at $python (create the project venv, or set SPLICE_PYTHON)"
[ -x "$chromium" ] || fail "no chromium at $chromium (apt-get install chromium)"
"$python" -c "import splice" 2>/dev/null || fail "$python cannot import splice"

started=$(date +%s)
node=$("$here/install.sh")
# code-server's launcher runs `node` from PATH and needs Node 24 (registerHooks): put the tools' node first.
code_server=(env "PATH=$tools/bin:$PATH" "$tools/code-server/bin/code-server")
echo "e2e-vscode: tools ready in $(($(date +%s) - started)) s"

# The extension, built and packaged the way `make test` does (npm ci only when the lock file changed);
# E2E_VSIX=<file> tests a .vsix built elsewhere instead.
cd "$repo"
if [ -n "${E2E_VSIX:-}" ]; then
  vsix=$(realpath "$E2E_VSIX")
else
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  npm run build
  npm run package
  vsix="$repo/splice-$(node -p "require('./package.json').version").vsix"
fi
[ -f "$vsix" ] || fail "no extension package at $vsix"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/splice-vscode-e2e.XXXXXX")
pids=()
cleanup() {
  local rc=$?
  # Each background process leads its own process group (setsid): killing the group also ends what it started
  # (code-server's extension host and the splice server under it, chromium under the driver).
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  sleep 1
  for pid in "${pids[@]}"; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "${E2E_KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
    echo "e2e-vscode: logs and workspace kept in $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

data="$tmp/data"
extensions="$tmp/extensions"
workspace="$tmp/example"
mkdir -p "$data/User" "$extensions"
cp -r "$repo/tests/fixtures/example" "$workspace"
rm -rf "$workspace/.splice/index"  # an index left by a run in the fixture itself is a cache, not part of it
mkdir -p "$shots"
rm -f "$shots"/[0-9][0-9]-*.png  # this run's screenshots only; the folder may be one the caller chose

"${code_server[@]}" --user-data-dir "$data" --extensions-dir "$extensions" --install-extension "$vsix" >"$tmp/install-extension.log" 2>&1 \
  || { cat "$tmp/install-extension.log" >&2; fail "code-server could not install $vsix"; }

# The fake OpenAI-compatible model: prints its base URL first, then serves the scripted answer.
setsid "$python" "$repo/tests/fake_llm.py" --port 0 --script "$here/replies.json" --record "$tmp/model-requests.jsonl" \
  >"$tmp/fake-llm.out" 2>"$tmp/fake-llm.err" &
pids+=($!)
for _ in $(seq 100); do
  [ -s "$tmp/fake-llm.out" ] && break
  sleep 0.1
done
api_base=$(head -n 1 "$tmp/fake-llm.out")
[[ "$api_base" == http://127.0.0.1:* ]] || { cat "$tmp/fake-llm.err" >&2; fail "the fake model server did not start"; }

# User settings of this throwaway profile: the project's Python, the fake model, inline review with CodeLenses in
# diffs, and none of the first-run UI (trust prompt, welcome page, chat, update and telemetry traffic).
"$python" - "$data/User/settings.json" "$data/Machine/settings.json" "$python" "$api_base" <<'EOF'
import json
import os
import sys

user, machine, python, api_base = sys.argv[1:]
settings = {
    "splice.server.python": python,
    "splice.model": "openai/fake-model",
    "splice.apiBase": api_base,
    "splice.review.mode": "inline",
    "diffEditor.codeLens": True,
    "diffEditor.renderSideBySide": True,
    "diffEditor.useInlineViewWhenSpaceIsLimited": False,
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": True,
    "chat.commandCenter.enabled": False,
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "extensions.ignoreRecommendations": True,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "git.enabled": False,
    "editor.minimap.enabled": False,
    "window.zoomLevel": 0,
}
# splice.server.python is machine-overridable: code-server's workbench is a remote window, where VS Code can skip
# machine-scoped user settings, so the splice settings also go to the Machine (remote) settings.
for target, values in ((user, settings), (machine, {k: v for k, v in settings.items() if k.startswith("splice.")})):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(values, f, indent=2)
EOF

port=$("$python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
# LITELLM_LOCAL_MODEL_COST_MAP keeps litellm (in the splice server) from fetching its price list.
# OPENAI_API_KEY: the fake model takes any key, and without one the extension asks for it (a notification).
LITELLM_LOCAL_MODEL_COST_MAP=True OPENAI_API_KEY=sk-splice-e2e-fake setsid "${code_server[@]}" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check \
  --user-data-dir "$data" --extensions-dir "$extensions" "$workspace" >"$tmp/code-server.log" 2>&1 &
pids+=($!)
healthy() { "$python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; }
for _ in $(seq 300); do
  healthy "http://127.0.0.1:$port/healthz" && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$tmp/code-server.log" >&2; fail "code-server exited"; }
  sleep 0.2
done
healthy "http://127.0.0.1:$port/healthz" || { cat "$tmp/code-server.log" >&2; fail "code-server did not answer"; }
echo "e2e-vscode: code-server on 127.0.0.1:$port, model at $api_base"
echo "e2e-vscode: screenshots in $shots"

set +e
E2E_URL="http://127.0.0.1:$port/" E2E_WORKSPACE="$workspace" E2E_SHOTS="$shots" E2E_PLAYWRIGHT="$tools/driver" \
  E2E_CHROMIUM="$chromium" setsid timeout 600 "$node" "$here/drive.mjs" &
pids+=($!)
wait "${pids[-1]}"
rc=$?
set -e

if [ "$rc" != 0 ]; then
  echo "e2e-vscode: FAILED (rc=$rc); code-server log: $tmp/code-server.log; model requests: $tmp/model-requests.jsonl" >&2
  find "$data/logs" -name '*Splice*' -print 2>/dev/null | sed 's/^/e2e-vscode: extension log: /' >&2
fi
echo "e2e-vscode: screenshots in $shots"
echo "e2e-vscode: finished in $(($(date +%s) - started)) s"
exit "$rc"
