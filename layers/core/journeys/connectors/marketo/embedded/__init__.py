"""An in-process Marketo Engage that speaks the official REST contract, limits and errors included."""

from journeys.connectors.marketo.embedded.faults import Fault, FaultPlan
from journeys.connectors.marketo.embedded.server import EmbeddedMarketo, MarketoLimits, ServedRequest

__all__ = ["EmbeddedMarketo", "Fault", "FaultPlan", "MarketoLimits", "ServedRequest"]
