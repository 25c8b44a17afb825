# Credit scoring platform — `make help` lists the targets.
SHELL := /bin/bash
# uv from PATH, else as a Python module (installed by `make install` when missing).
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
export CREDIT_SCORING_HOME ?= $(CURDIR)/var
# `make run DATA=../shared/data/home-credit-sample` runs on real Kaggle-layout data; default: synthetic.
DATA ?=
CLIENTS ?= 10000

.DEFAULT_GOAL := help
.PHONY: help install system-deps run test test-fast test-deploy lint lint-checks bench bench-scale screenshots mlflow-ui clean

help: ## List the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

install: ## Install uv if missing, then the package and its tools from the lock file
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

system-deps: ## Debian packages the tests need (chromium for the browser tests; needs root)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests need it)"; exit 1; fi; }

run: install ## The product end to end: data, checks, features, model, database, users, API + dashboard
	$(UV) run credit-scoring demo $(if $(DATA),--data $(DATA),--clients $(CLIENTS))

test: install system-deps lint-checks ## Install what is needed, then the checks pre-commit runs and every test (unit, integration, spark, e2e)
	$(UV) run pytest

test-fast: install ## Unit tests only (no services, no browser, no Spark)
	$(UV) run pytest -m "not integration and not e2e and not spark and not slow"

test-deploy: install system-deps ## Build the image, run the compose stack on a small synthetic bank, check it, roll its tag; tear down
	UV="$(UV)" bash tests/deploy/run.sh

lint: install lint-checks ## Ruff, the layer contracts (import-linter) and mypy, as pre-commit runs them

lint-checks:
	$(UV) run ruff check src tests bench
	$(UV) run ruff format --check src tests bench
	$(UV) run lint-imports
	$(UV) run mypy

bench: install ## Self-contained benchmarks (synth, features, model, drift); see bench/README.md for the rest
	@for f in synth features model_quality drift; do echo "== bench/bench_$$f.py"; $(UV) run python bench/bench_$$f.py || exit 1; done

# Issue 26: the product at Kaggle size; takes about an hour on a quiet machine.
SCALE_CLIENTS ?= 356255
bench-scale: install ## Every step at Kaggle size (356,255 clients): time and peak memory vs targets; see bench/README.md
	$(UV) run python bench/bench_scale.py --clients $(SCALE_CLIENTS)

screenshots: install system-deps ## Regenerate docs/screenshots/ (the browser walk-through of the user guide)
	CREDIT_SCORING_SCREENSHOTS=$(CURDIR)/docs/screenshots $(UV) run pytest tests/e2e -m e2e

mlflow-ui: ## MLflow UI on http://127.0.0.1:5000 (experiments and the model registry)
	$(UV) run mlflow ui --backend-store-uri sqlite:///$(CREDIT_SCORING_HOME)/mlflow.db --port 5000

clean: ## Remove all generated state under var/
	rm -rf var
