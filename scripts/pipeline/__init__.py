"""The content pipeline, one module per stage: load -> validate -> crosscheck -> verify -> render -> build.

Plain Python: nothing here imports MkDocs. ``scripts/mkdocs_hook.py`` is the thin adapter.
"""

from .errors import ContentError, Problem

__all__ = ["ContentError", "Problem"]
