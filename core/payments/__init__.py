"""The payment core: intents in integer fen, one state machine, providers behind one interface (docs/payments.md)."""
