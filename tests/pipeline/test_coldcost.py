"""Shortcuts of the cold run's fixed costs (issue 14) give what the plain code gave.

A file's bytes are hashed once: the hash the stat index took while reading them is the one the
content cache and the pages key the document by.
"""

from __future__ import annotations

import hashlib

from scripts.pipeline.build import load_content, open_cache


def test_each_document_carries_the_hash_of_its_files_bytes(project):
    for run in range(2):  # cold, then with the cache and the stat index of the first run
        cache = open_cache(project)
        content, problems = load_content(project, (), cache)
        cache.save()
        assert problems == []
        by_file = {doc.file: doc for doc in content.entries}
        assert len(by_file) > 5
        for path in project.entries.glob("*.yaml"):
            doc = by_file[f"content/entries/{path.name}"]
            assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), (run, path.name)
