"""Pure formula functions in the portable subset (see ``calculators/lint.py`` for the rules).

Rules for every module in this package:

* positional calls only between formula functions; no keyword arguments;
* no float literals (write ``1``, ``100``; rates arrive as arguments) so that the functions work on
  ``float`` and on ``decimal.Decimal``;
* no ``round``, ``%``, ``//``, ``sorted``, ``math``, ``str()`` of numbers or format specs;
* inputs are checked explicitly and a bad one raises ``ValueError`` naming the input and its limit.
"""
