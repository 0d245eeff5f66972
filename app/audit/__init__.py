"""The production audit: classification into series, the audit grid, volumes."""
