# syntax=docker/dockerfile:1
# One image for the API (default command) and the dashboard (compose sets its command):
#   docker build -t credit-scoring .
#   docker run -p 8000:8000 --env-file .env credit-scoring
# Dependencies come from the lock file only (uv sync --frozen): the image installs exactly
# what CI tested. Bump the pinned versions below together with uv.lock.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# ---- build: resolve nothing, install the locked environment into /app/.venv ----
FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /uvx /usr/local/bin/
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first (cached layer while only the code changes).
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable
# Compile the TreeSHAP kernels (Numba) into the environment's cache, so that a container's
# first scores do not pay for it (a machine of another CPU type compiles them once again).
RUN /app/.venv/bin/python -c "from credit_scoring.explain.treeshap import compile_kernels; compile_kernels()"

# ---- runtime: the environment, a non-root user, no build tools ----
FROM ${PYTHON_IMAGE} AS runtime
# libgomp1: OpenMP runtime that LightGBM needs; fonts-dejavu-core: DejaVu Sans for the PDF
# letters to applicants (accents and the euro sign, api/letter.py). Debian security updates
# are taken at each rebuild, so the package versions are deliberately not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /var/lib/credit-scoring /data \
    && chown app:app /var/lib/credit-scoring
COPY --from=build --chown=app:app /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CREDIT_SCORING_HOME=/var/lib/credit-scoring \
    CREDIT_SCORING_ENVIRONMENT=production \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
WORKDIR /var/lib/credit-scoring
USER 10001:10001
VOLUME ["/var/lib/credit-scoring"]
EXPOSE 8000 8501
# HEALTH_URL lets the dashboard service check its own port with the same instruction.
ENV HEALTH_URL=http://127.0.0.1:8000/health
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTH_URL'], timeout=4)"]
CMD ["credit-scoring", "serve", "--host", "0.0.0.0", "--port", "8000"]
