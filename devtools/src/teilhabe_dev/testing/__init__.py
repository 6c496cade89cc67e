"""Test support for every service's suite: real PostgreSQL and RabbitMQ, isolated per run.

Nothing here stands in for the broker or the database; it provisions them (from the
environment, or with testcontainers where a Docker engine exists), gives each run its own
databases and virtual hosts, and runs services as real processes.
"""
