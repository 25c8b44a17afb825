# One image for the API (default command) and the dashboard (compose sets its command).
# The platform on one host is compose.yaml (docs/operations.md, section 3):
#   cp .env.example .env      # then set the secrets and the data folder
#   docker compose up -d --build
# The image alone serves the API against an existing database and MLflow server:
#   docker build -t credit-scoring .
#   docker run -p 8000:8000 -e CREDIT_SCORING_SECRET_KEY=... \
#     -e CREDIT_SCORING_DATABASE_URL=mysql+pymysql://... \
#     -e CREDIT_SCORING_MLFLOW_TRACKING_URI=http://... credit-scoring
# (not `--env-file .env` with a .env copied from .env.example: its development settings,
# CREDIT_SCORING_ENVIRONMENT=development and CREDIT_SCORING_HOME=var, would override the
# image's production ones; compose sets them back, `docker run` does not.)
# Spark jobs (`--engine spark`) need pyspark and a Java runtime, which the serving image leaves
# out (~0.5 GB for nothing it serves); a second target has both:
#   docker build --target spark -t credit-scoring-spark .
# Dependencies come from the lock file only (uv sync --frozen): the image installs exactly
# what CI tested. Bump the pinned versions below together with uv.lock. No `# syntax=` line:
# it would fetch a frontend from Docker Hub at build time, and `RUN --mount` works without it.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# ---- base: the system libraries every stage needs, the user, the settings ----
FROM ${PYTHON_IMAGE} AS base
# libgomp1: OpenMP runtime that LightGBM needs, at build time too (the TreeSHAP kernels are
# compiled below) and the slim base images lack it; fonts-dejavu-core: DejaVu Sans for the
# PDF letters to applicants (accents and the euro sign). Debian security updates are taken at
# each rebuild, so the package versions are deliberately not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /var/lib/credit-scoring /data \
    && chown app:app /var/lib/credit-scoring
# GIT_PYTHON_REFRESH=quiet: the image has no git; MLflow would warn "Failed to import Git"
# three times per training run instead of just recording no commit.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GIT_PYTHON_REFRESH=quiet \
    CREDIT_SCORING_HOME=/var/lib/credit-scoring \
    CREDIT_SCORING_ENVIRONMENT=production \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# ---- build: resolve nothing, install the locked environment into /app/.venv ----
FROM base AS build
COPY --from=uv /uv /uvx /usr/local/bin/
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first (cached layer while only the code or the README changes).
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable
# Compile the TreeSHAP kernels (Numba) into the environment's cache, so that a container's
# first scores do not pay for it (a machine of another CPU type compiles them once again).
RUN /app/.venv/bin/python -c "from credit_scoring.explain.treeshap import compile_kernels; compile_kernels()"

# ---- spark: the same environment plus pyspark and a Java runtime, for Spark jobs only ----
FROM build AS build-spark
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --extra spark

FROM base AS spark
# hadolint ignore=DL3008
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build-spark --chown=app:app /app/.venv /app/.venv
WORKDIR /var/lib/credit-scoring
USER 10001:10001
CMD ["credit-scoring", "score", "--help"]

# ---- runtime (the default target): the environment, a non-root user, no build tools ----
FROM base AS runtime
COPY --from=build --chown=app:app /app/.venv /app/.venv
WORKDIR /var/lib/credit-scoring
USER 10001:10001
# No VOLUME: it would leave an anonymous volume behind every container (the dashboard's, each
# `docker compose run`); compose mounts the named volume app-home here where state is kept.
EXPOSE 8000 8501
# The health check asks through the address the container serves on (its own name, not
# 127.0.0.1), so a server listening on loopback only is unhealthy, as it is for its users.
# The API's /health answers 200 only when ready: database, feature set and model loaded.
# HEALTH_URL ({host}: that address) lets the dashboard check Streamlit the same way.
ENV HEALTH_URL=http://{host}:8000/health
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, socket, urllib.request; urllib.request.urlopen(os.environ['HEALTH_URL'].format(host=socket.gethostbyname(socket.gethostname())), timeout=4)"]
CMD ["credit-scoring", "serve", "--host", "0.0.0.0", "--port", "8000"]
