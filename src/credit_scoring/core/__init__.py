"""The lowest layer: types and constants every other layer may share (no imports upward):
score results, bands, rating grades and points, the reason-code catalogue."""
