"""Candidates, imbalance, cost and threshold, calibration, training, evaluation, serving."""
