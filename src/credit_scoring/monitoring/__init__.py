"""Monitoring: data drift (evidently), production checks; fairness and model card live beside."""
