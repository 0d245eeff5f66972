"""Sending SIPs to the archiving system (SAE): connectors, outbox, credentials."""
