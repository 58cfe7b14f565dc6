"""The public home page and the customer home's own panels (always on)."""
