"""Restricted-party list formats, one module per format; `registry.py` names them and reads
any of them (`load_list`), `screener.parties.importers` re-exports the public names."""
