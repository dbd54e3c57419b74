"""Fixtures for the editing tests: the pipeline tests' throw-away project and in-process CLI."""

from tests.pipeline.conftest import cli, good_text, make_project, project  # noqa: F401
