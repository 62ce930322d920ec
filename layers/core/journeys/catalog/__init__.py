"""The action catalog and the event catalog: the single source of truth for actions and events."""

from journeys.catalog.actions import ACTIONS, ActionSpec, get_action
from journeys.catalog.events import EVENT_TYPES, EventTypeSpec, get_event_type

__all__ = ["ACTIONS", "EVENT_TYPES", "ActionSpec", "EventTypeSpec", "get_action", "get_event_type"]
