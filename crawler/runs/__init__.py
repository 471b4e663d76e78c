"""Runs over a sites registry: scheduling, locks, manifests and reports, distributed workers."""
