# Stand-in for ghcr.io/mlflow/mlflow on machines that cannot reach ghcr.io (tests/deploy/run.sh
# builds it only there): the project's own image has the same MLflow (uv.lock) and Python.
# Like the real image it runs as root, so the server can write its fresh /mlflow volume.
ARG BASE=credit-scoring:latest
FROM ${BASE}
USER root
RUN mkdir -p /mlflow
HEALTHCHECK NONE
CMD ["mlflow", "server", "--host", "0.0.0.0", "--port", "5000"]
