"""Explanations: exact TreeSHAP contributions, reasons in plain words, similar clients."""
