"""Scoring API: FastAPI app factory, routes, security."""
