"""Account Journeys: B2B account journeys on AWS serverless."""

__version__ = "0.1.0"
