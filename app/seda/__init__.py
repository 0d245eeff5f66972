"""SEDA 2.x transfer packages: schemas, manifest building and validation."""
