"""The web layer: the FastAPI app factory, its dependencies, middleware and routes; the lending
domain below it (``credit_scoring.lending``) holds the logic."""
