"""Signed webhooks to agencies (Standard Webhooks), beside their broker access.

The agency gateway hands each event an agency may receive to `delivery.stage`, in its
own transaction: one delivery per active endpoint of the agency. The sender
(`sender.WebhookSender`, in the consumer process) posts due deliveries with bounded
concurrency per endpoint and a timeout; a failed attempt is retried on a durable timer
with exponential backoff and jitter until the retry window (more than a day) has passed,
then the delivery is dead and counted. An administrator replays one delivery or a time
range (`service`, `router`, the staff tool's page).
"""
