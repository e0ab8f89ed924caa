"""The early-warning monitor: signals over the store, ranked alerts, feeds."""
