"""Shared vocabulary below every layer: rating grades and points, reason codes."""
