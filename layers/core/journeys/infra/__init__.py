"""Infrastructure as code: the SAM template generated from the action catalog."""
