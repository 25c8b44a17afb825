"""The lending domain: what every entry point (API, CLI, batch, Spark) shares.

The bank's form and its one translation to Kaggle's encodings (:mod:`.form`), the credit
committee's rules (:mod:`.policy`), applications from intake to decision
(:mod:`.applications`), the letter (:mod:`.letter`), the audit writer (:mod:`.audit`),
users and passwords (:mod:`.security`, :mod:`.users`), the services behind the API's reads
(:mod:`.services`) and the domain's refusals (:mod:`.errors`). Plain Python: no module
here imports FastAPI or Starlette (an import-linter contract checks it), so one applicant
gets one decision wherever it is shown.
"""
