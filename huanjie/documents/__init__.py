"""Printable official documents."""
