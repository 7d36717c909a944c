"""The ledger pages (being built)."""
