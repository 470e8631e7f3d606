"""One router per resource; each stays a thin shell over `screener`."""
