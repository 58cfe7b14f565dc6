"""Legacy system seam: connector ports, customer sync, demo legacy database."""
