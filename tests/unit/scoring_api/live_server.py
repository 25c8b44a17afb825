"""The test API in its own process (uvicorn), for the schemathesis bodies that build features.

``python live_server.py HOME FEATURES_PARQUET PORT``: serves the test bank of ``HOME`` with
the fake scorer. DuckDB, which builds the features of bodies with history, is used here
from uvicorn's threads and ends with this process, never in the pytest process (in-process
ASGI worker threads left DuckDB connections that aborted the interpreter at exit).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/unit: scoring_api

import pandas as pd
import uvicorn

from credit_scoring.api.app import create_app
from scoring_api.conftest import fake_for, make_settings


def main(home: str, features: str, port: int) -> None:
    scorer = fake_for(pd.read_parquet(features))
    app = create_app(make_settings(Path(home)), load_scorer=lambda _s: scorer)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
