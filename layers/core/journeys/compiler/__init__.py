"""Journey -> Step Functions ASL compiler (DESIGN section 5)."""

from journeys.compiler.asl import CompiledJourney, compile_journey, to_json_text
from journeys.compiler.errors import CompileError
from journeys.compiler.introspect import error_names, placeholders, state_names

__all__ = [
    "CompileError",
    "CompiledJourney",
    "compile_journey",
    "error_names",
    "placeholders",
    "state_names",
    "to_json_text",
]
