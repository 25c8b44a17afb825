"""Page bodies: plain functions that lay out one page each (pages/*.py call ``render()``)."""
