"""Ingest: read files into ``DocumentIn`` records, extract their claims, store both."""
