"""Embedded runtimes: the infrastructure swapped in when journeys run on one machine."""
