"""Products (TM Forum's names): specifications and offerings (the catalog), products on accounts (the inventory),
product orders with items add / modify / delete, and the lifecycle contract plugins implement. docs/products.md.

Plugins import these through ``core.api.products``.
"""
