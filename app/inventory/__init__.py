"""The inventory of a file share: walk, hash, identify, flag, record, compare."""
