"""The lowest layer: types and constants every other layer may share (no imports upward)."""
