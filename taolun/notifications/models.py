"""Notifications are derived from waiting work (see selectors); no table is needed."""
