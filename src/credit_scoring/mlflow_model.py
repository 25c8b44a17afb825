"""The MLflow pyfunc model, logged as code ("models from code") rather than pickled.

MLflow copies this file into the logged model and runs it on load; it defines the model
with :func:`mlflow.models.set_model`. Logging the class this way avoids CloudPickle (which
MLflow warns may run arbitrary code on load); the trained scorer itself is an artifact
(``scorer.joblib``) whose SHA-256 is checked before every load by the API.
"""

from mlflow.models import set_model

from credit_scoring.registry import ChampionPyfunc

set_model(ChampionPyfunc())
