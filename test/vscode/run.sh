#!/usr/bin/env bash
# `npm run test:vscode`: the extension-host suite and the UI suite in a real VS Code
# (code-server from npm, see setup.sh), against the extension packaged as a .vsix.
# Exits non-zero on any failure. Screenshots and console logs land in test-results/.
#   FGLAB_SUITES=ext-host|ui   run one suite        FGLAB_GREP=<text>  run matching tests
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FGLAB_ROOT"
t0=$SECONDS
bash test/vscode/setup.sh --quiet

# The suites are bundled by `node esbuild.config.mjs --tests` (npm test does it first); rebuild
# them when run alone or when a harness source is newer than its bundle.
if [ ! -f out/test/vscode/run.js ] || [ -n "$(find test/vscode -name '*.ts' -newer out/test/vscode/run.js -print -quit)" ]; then
  node esbuild.config.mjs --tests
fi

# The marketplace path: vsce runs vscode:prepublish (the --production build) and packs what
# .vscodeignore lets through.
mkdir -p "$FGLAB_VSCODE_CACHE/vsix"
vsix=$FGLAB_VSCODE_CACHE/vsix/forget-gate-lab-$$.vsix
vsce_log=$FGLAB_VSCODE_CACHE/vsix/vsce-$$.log
trap 'rm -f "$vsix" "$vsce_log"' EXIT
if ! npx --no-install vsce package --no-dependencies -o "$vsix" </dev/null >"$vsce_log" 2>&1; then
  cat "$vsce_log" >&2
  echo "test/vscode/run.sh: vsce package failed" >&2
  exit 1
fi
grep -E 'WARNING|ERROR' "$vsce_log" | sed 's/^/vsce: /' || true
echo "packaged $(basename "$vsix") ($(du -k "$vsix" | cut -f1) KB) in $((SECONDS - t0)) s"

node out/test/vscode/run.js --vsix "$vsix"
