#!/usr/bin/env bash
# Installs the `docker compose` plugin when the machine's Docker CLI has none (Debian 12's
# docker.io ships without it, and its docker-compose package is the old 1.29 that knows no
# `env_file: {path, required}`): the binary of Debian 13's docker-compose package (compose
# 2.26, a static Go program), fetched with apt from Debian's archive into a private folder,
# then put in the CLI's plugin folder. Used by tests/deploy/run.sh only.
set -euo pipefail
DIST=${COMPOSE_PLUGIN_DIST:-trixie}
W=${COMPOSE_PLUGIN_W:-/var/tmp/cs-compose-plugin}
PLUGINS=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
mkdir -p "$W/lists/partial" "$PLUGINS"
echo "deb http://deb.debian.org/debian $DIST main" >"$W/sources.list"
APT=(-o "Dir::Etc::sourcelist=$W/sources.list" -o "Dir::Etc::sourceparts=-"
     -o "Dir::State::Lists=$W/lists" -o "APT::Get::List-Cleanup=0"
     -o "APT::Sandbox::User=root")
apt-get "${APT[@]}" update -qq >/dev/null
rm -f "$W"/docker-compose_*.deb
(cd "$W" && apt-get "${APT[@]}" download docker-compose >/dev/null 2>&1)
deb=$(ls "$W"/docker-compose_*.deb)
rm -rf "$W/x" && dpkg-deb -x "$deb" "$W/x"
install -m 755 "$W/x/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGINS/docker-compose"
echo "   docker compose plugin from $(basename "$deb") in $PLUGINS"
