"""Retention referentials: management rules and agencies, as the SAE knows them."""
