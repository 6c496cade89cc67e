"""What development and tests need and production must never carry.

`teilhabe_dev.devprovider` is the development identity provider (`teilhabe-dev-oidc`),
which issues any role to anyone who asks; `teilhabe_dev.testing` provisions real
PostgreSQL and RabbitMQ for a test run and runs services in-process or as processes.
This package is in the workspace's dev dependency group only: no service depends on it,
the production image does not install it (tests/test_production_install.py), and
nothing under shared/src or services/*/src may import it.
"""
