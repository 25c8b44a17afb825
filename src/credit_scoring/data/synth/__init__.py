"""Synthetic Home Credit data: all eight Kaggle tables, realistic and with a risk signal.

How it works
------------
* Every column is drawn from a marginal calibrated on the real sample
  (``marginals.json``, made by ``calibrate.py``: missing shares, category
  frequencies, percentiles; no rows).
* Each client has one latent risk ``r ~ N(0, 1)``. ``TARGET ~ Bernoulli(sigmoid(a + b r))``
  (about 8 %), and the same ``r`` moves the features through a Gaussian copula:
  lower EXT_SOURCE_*, younger, shorter employment, larger credit for the income,
  more refused previous applications, late bureau statuses and overdue debt,
  late or partial instalments, POS days past due, higher card utilisation.
* Structure follows Kaggle: pensioners get DAYS_EMPLOYED = 365243, building
  columns are missing together, OWN_CAR_AGE only with a car; history tables keep
  their foreign keys (balances belong to the client's own previous loans).
* Clients are generated in fixed chunks, each with its own seeded generator, and
  appended to the files: memory stays flat and the same seed gives the same bytes.

Use ``generate(out_dir, clients=..., seed=...)`` or ``credit-scoring data synth``.
"""

from credit_scoring.data.synth.generator import CHUNK_CLIENTS, DEFAULT_TEST_SHARE, generate

__all__ = ["CHUNK_CLIENTS", "DEFAULT_TEST_SHARE", "generate"]
