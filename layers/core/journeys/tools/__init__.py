"""Developer tools: generators of the committed derived files."""
