"""What every part of the domain shares.

The community row, the rules for what people type, and wall-clock time arithmetic.
"""
