# Credit scoring platform — `make help` lists the targets.
SHELL := /bin/bash
UV ?= uv
export CREDIT_SCORING_HOME ?= $(CURDIR)/var
# Real Kaggle-layout data, when present beside the repository; otherwise synthetic data is generated.
REAL_DATA ?= ../shared/data/home-credit-sample
DEMO_DATA := $(CREDIT_SCORING_HOME)/data/demo
DEMO_CLIENTS ?= 5000

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint bench clean

help: ## List the targets with what they do
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

install: ## Install the package and its tools from the lock file (uv)
	$(UV) sync --frozen

run: install ## The product end to end on synthetic demo data: data, checks, features
	$(UV) run credit-scoring data synth --out $(DEMO_DATA) --clients $(DEMO_CLIENTS) --seed 42
	$(UV) run credit-scoring data check $(DEMO_DATA)
	$(UV) run credit-scoring features build --data $(DEMO_DATA)

test: install ## Install what is needed, then run every test (unit, integration, spark, e2e)
	$(UV) run ruff check src tests bench
	$(UV) run pytest

test-fast: install ## Unit tests only (no services, no browser, no Spark)
	$(UV) run pytest -m "not integration and not e2e and not spark and not slow"

lint: install ## Ruff and mypy, as pre-commit runs them
	$(UV) run ruff check src tests bench
	$(UV) run ruff format --check src tests bench
	$(UV) run mypy

bench: install ## Benchmarks that print their figures (see bench/README.md)
	@for f in bench/bench_*.py; do echo "== $$f"; $(UV) run python $$f || exit 1; done

clean: ## Remove all generated state under var/
	rm -rf var
