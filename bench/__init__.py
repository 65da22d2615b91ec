"""Benchmarks of the task service, side by side with a bare baseline (`make bench`)."""
