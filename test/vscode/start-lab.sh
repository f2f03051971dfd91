#!/usr/bin/env bash
# `npm start`: the lab in a real VS Code, with the samples folder open.
#  - With `code` on PATH: a VS Code window with the extension loaded from this repository
#    (extensionDevelopmentPath), open on a working copy of media/samples in .cache/lab-workspace;
#    runs until that window closes.
#  - Otherwise: code-server (installed once by setup.sh) with the extension installed from a
#    freshly packaged .vsix, on http://127.0.0.1:$FGLAB_PORT (default 8123, or a free port);
#    runs until Ctrl+C. Settings made in the browser persist in .cache/vscode/lab/. Autosave is
#    off (the web workbench's default is on), so running a sample does not rewrite it.
#  FGLAB_USE_CODE_SERVER=1 uses code-server even when `code` is on PATH.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FGLAB_ROOT"
# A working copy of the samples, so that running and saving them never rewrites the tracked files.
samples=$FGLAB_ROOT/.cache/lab-workspace
mkdir -p "$samples"
cp -rn "$FGLAB_ROOT"/media/samples/. "$samples"/
[ -d node_modules/esbuild ] || { echo "start-lab: run \`npm install\` first" >&2; exit 1; }

if [ -z "${FGLAB_USE_CODE_SERVER:-}" ] && command -v code >/dev/null 2>&1; then
  echo "[lab] building"
  node esbuild.config.mjs
  echo "[lab] opening VS Code on $samples with the extension from $FGLAB_ROOT (close the window to stop)"
  exec code --new-window --wait --extensionDevelopmentPath="$FGLAB_ROOT" "$samples"
fi

bash test/vscode/setup.sh
lab=$FGLAB_VSCODE_CACHE/lab
mkdir -p "$lab/user-data/User" "$lab/extensions" "$lab/xdg/config" "$lab/xdg/data" "$lab/xdg/cache" "$lab/tmp"
export XDG_CONFIG_HOME=$lab/xdg/config XDG_DATA_HOME=$lab/xdg/data XDG_CACHE_HOME=$lab/xdg/cache TMPDIR=$lab/tmp
for v in $(compgen -e | grep -E '^(VSCODE_|ELECTRON_RUN_AS_NODE)' || true); do unset "$v"; done

echo "[lab] packaging the extension (vsce runs the production build)"
vsix=$lab/forget-gate-lab.vsix
npx --no-install vsce package --no-dependencies -o "$vsix" </dev/null >"$lab/vsce.log" 2>&1 \
  || { cat "$lab/vsce.log" >&2; echo "start-lab: vsce package failed" >&2; exit 1; }
settings=$lab/user-data/User/settings.json
[ -f "$settings" ] || cat >"$settings" <<'JSON'
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "chat.disableAIFeatures": true,
  "files.autoSave": "off",
  "workbench.secondarySideBar.defaultVisibility": "hidden"
}
JSON
printf 'auth: none\ncert: false\n' >"$lab/config.yaml"
cs=("$FGLAB_NODE24" "$FGLAB_CODE_SERVER" --config "$lab/config.yaml" --user-data-dir "$lab/user-data" --extensions-dir "$lab/extensions")
"${cs[@]}" --install-extension "$vsix" --force >"$lab/install.log" 2>&1 \
  || { cat "$lab/install.log" >&2; echo "start-lab: installing the .vsix into code-server failed" >&2; exit 1; }

port=${FGLAB_PORT:-$(node -e '
const net = require("node:net");
const listen = (p) => new Promise((ok, no) => { const s = net.createServer().once("error", no).listen(p, "127.0.0.1", () => { const a = s.address().port; s.close(() => ok(a)); }); });
listen(8123).catch(() => listen(0)).then((p) => console.log(p));')}
"${cs[@]}" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$samples" >"$lab/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; echo; echo "[lab] stopped"' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 120); do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$port/healthz" && break
  kill -0 "$server" 2>/dev/null || { cat "$lab/server.log" >&2; echo "start-lab: code-server exited" >&2; exit 1; }
  sleep 0.5
done
folder=$(node -p 'encodeURIComponent(process.argv[1])' "$samples")
echo
echo "  Forget Gate Lab is running in code-server (VS Code $("$FGLAB_NODE24" -p 'require(process.argv[1]).version' "$FGLAB_CODE_SERVER_DIR/node_modules/code-server/lib/vscode/package.json"))."
echo "  Open:  http://127.0.0.1:$port/?folder=$folder"
echo "  Then open classic-lstm.fglab and press Run All. Ctrl+C stops the lab (log: $lab/server.log)."
echo
wait "$server"
