"""Cross-shipment patterns over a stream of transactions (see engine.py for the semantics)."""
