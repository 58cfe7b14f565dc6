"""Billing accounts (账户) on the customer's side: which accounts a signed-in customer sees, and the Accounts and balances page."""
