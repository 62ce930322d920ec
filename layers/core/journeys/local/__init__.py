"""The embedded runtime: a whole journey end to end on one machine (`journeys run`)."""
