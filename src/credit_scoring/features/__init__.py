"""Feature definitions (Ibis), one module per source table; ``build`` assembles them."""
