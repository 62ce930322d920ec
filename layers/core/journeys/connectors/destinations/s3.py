"""S3 export destination: one JSON-lines object per delivery."""

from __future__ import annotations

import hashlib
from typing import Any

from journeys.connectors.destinations.base import ActivationRecord, DestinationRejected
from journeys.model.lists import Destination, ExternalAudience


class S3ExportConnector:
    """`put_object` of JSON lines under `<prefix><audience>/`. The key is a digest of the content, so
    delivering the same records again rewrites the same object instead of adding a duplicate."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def deliver(
        self, destination: Destination, audience: ExternalAudience, records: list[ActivationRecord]
    ) -> None:
        if not destination.bucket:
            raise DestinationRejected(f"destination '{destination.id}' has no bucket")
        if not records:
            return
        body = "".join(r.model_dump_json(exclude_none=True) + "\n" for r in records).encode()
        digest = hashlib.sha256(body).hexdigest()[:32]
        key = f"{destination.prefix}{audience.id}/{digest}.jsonl"
        self.client.put_object(
            Bucket=destination.bucket, Key=key, Body=body, ContentType="application/x-ndjson"
        )
