"""Journey definitions: the public format (DESIGN section 3), parsing and validation."""
