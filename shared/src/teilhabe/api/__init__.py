"""HTTP side shared by every service: app factory, problem responses, health, metrics."""
