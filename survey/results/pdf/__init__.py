"""The fairness report as a tagged, accessible PDF."""
