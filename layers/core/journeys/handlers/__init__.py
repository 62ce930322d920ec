"""Lambda-side pipelines: the SQS action batch handler and its Step Functions ports."""
