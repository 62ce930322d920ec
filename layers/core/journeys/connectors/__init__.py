"""Connectors to third-party systems."""
