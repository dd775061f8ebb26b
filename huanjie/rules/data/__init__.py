"""Data of the rules engine: stroke tables (read as files) and the law's sources (Python literals)."""
