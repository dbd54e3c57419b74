"""Margin Notes calculators: pure formula functions, the calculator catalogue and the reference model.

Every number on the site comes from the functions in :mod:`calculators.formulas`. They are written in a
portable subset of Python that PScript compiles to browser JavaScript with the same results, and they
accept ``float`` or ``decimal.Decimal`` alike (no float literals inside), so the exact reference model
in :mod:`calculators.model` calls the very same code.
"""
