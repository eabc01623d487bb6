"""Folder -> records: the walker and one scanner module per source format."""
