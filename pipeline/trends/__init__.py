"""`stance trends`: stance shares over time, by outlet or conflict, from the records `stance predict` writes.

Records stream in and are folded into one aggregate per article (counts,
score sums, claims); cells (period × group) are built from those aggregates,
each share estimated by classify-and-count, its probabilistic form, or their
adjustments by the model card's out-of-fold confusion, with a bootstrap over
articles for its interval. `run.trends` is the one function the command calls.
"""
