"""The one interface every destination connector implements, and what it is given."""

from __future__ import annotations

import hashlib
from typing import Protocol

from pydantic import BaseModel

from journeys.model.lists import Destination, ExternalAudience
from journeys.model.profiles import Person


class ActivationRecord(BaseModel):
    """One profile pushed to a destination; the hashed email is what paid-media matching uses."""

    personId: str
    accountId: str
    email: str | None = None
    emailSha256: str | None = None

    @classmethod
    def of(cls, person: Person) -> ActivationRecord:
        email = person.email.strip().lower() if person.email else None
        digest = hashlib.sha256(email.encode()).hexdigest() if email else None
        return cls(personId=person.id, accountId=person.account, email=email, emailSha256=digest)


class DestinationError(Exception):
    """Base of delivery errors."""


class DestinationUnavailable(DestinationError):
    """Transient: retries ran out (throttling, 5xx, timeouts). The members stay pending."""


class DestinationRejected(DestinationError):
    """The destination refused the request (4xx other than 429): fixing it needs a person."""


class DestinationConnector(Protocol):
    def deliver(
        self, destination: Destination, audience: ExternalAudience, records: list[ActivationRecord]
    ) -> None:
        """Deliver all records or raise; delivering the same records again must be harmless."""
        ...
