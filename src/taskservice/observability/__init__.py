"""Seeing inside the service: metrics (``/metrics``), structured logs, stored agent traces."""
