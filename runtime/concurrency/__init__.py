"""Batch operations (`parallel`, `map`): result model and the branch scheduler."""
