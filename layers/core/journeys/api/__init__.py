"""The HTTP API: journeys, entries, counts, audiences and lookups, served by one Powertools resolver."""
