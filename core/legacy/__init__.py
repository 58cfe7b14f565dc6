"""Legacy system seam: connector ports, customer and billing sync (the demo legacy databases live in core.demo)."""
