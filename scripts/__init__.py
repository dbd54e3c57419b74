"""Margin Notes scripts: the content pipeline (``scripts.pipeline``), its CLI and the MkDocs adapter."""
