"""Kaggle-layout tables: schemas, loading, validation, synthetic generation."""
