"""Notifications: e-mail over SMTP and SMS through a channel interface, both via a durable outbox table."""
