"""Project what a run would cost on AWS, from what it counted.

Public on-demand prices, us-east-1, as listed on the AWS pricing pages on 2026-11-29. They change:
keep this table dated, and treat the projection as an order of magnitude, not an invoice.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

PRICES_AS_OF = "2026-11-29"
PRICES = {
    "stepFunctionsPerTransition": 0.025 / 1000,  # Standard workflows
    "lambdaPerRequest": 0.20 / 1_000_000,
    "lambdaPerGbSecondArm": 0.0000133334,  # arm64
    "sqsPerRequest": 0.40 / 1_000_000,  # standard queues, 64 KB chunks
    "dynamodbPerWriteUnit": 0.625 / 1_000_000,  # on-demand write request units
    "dynamodbPerReadUnit": 0.125 / 1_000_000,  # on-demand read request units
    "eventBridgePerEvent": 1.00 / 1_000_000,  # custom events put
    "sesPerEmail": 0.10 / 1000,
    "snsPerSmsUs": 0.00581,  # US transactional SMS, before carrier fees
}
LAMBDA_MEMORY_GB = 0.5  # the template's function memory (512 MB)


class Usage(BaseModel):
    """What a run used, counted by the embedded runtime."""

    stateTransitions: int = 0
    lambdaInvocations: int = 0
    lambdaSeconds: float = 0.0
    sqsRequests: int = 0
    dynamodbReads: int = 0
    dynamodbWrites: int = 0
    eventBridgeEvents: int = 0
    emails: int = 0
    sms: int = 0
    marketoCalls: int = 0


class CostProjection(BaseModel):
    pricesAsOf: str = PRICES_AS_OF
    region: str = "us-east-1"
    usd: dict[str, float] = Field(default_factory=dict)
    totalUsd: float = 0.0
    per1000AccountsUsd: float = 0.0
    accounts: int = 0


def project(usage: Usage, accounts: int) -> CostProjection:
    usd = {
        "stepFunctions": usage.stateTransitions * PRICES["stepFunctionsPerTransition"],
        "lambda": usage.lambdaInvocations * PRICES["lambdaPerRequest"]
        + usage.lambdaSeconds * LAMBDA_MEMORY_GB * PRICES["lambdaPerGbSecondArm"],
        "sqs": usage.sqsRequests * PRICES["sqsPerRequest"],
        "dynamodb": usage.dynamodbReads * PRICES["dynamodbPerReadUnit"]
        + usage.dynamodbWrites * PRICES["dynamodbPerWriteUnit"],
        "eventBridge": usage.eventBridgeEvents * PRICES["eventBridgePerEvent"],
        "ses": usage.emails * PRICES["sesPerEmail"],
        "sms": usage.sms * PRICES["snsPerSmsUs"],
    }
    total = sum(usd.values())
    return CostProjection(
        usd={k: round(v, 6) for k, v in usd.items()},
        totalUsd=round(total, 6),
        per1000AccountsUsd=round(total / accounts * 1000, 6) if accounts else 0.0,
        accounts=accounts,
    )
