"""The name matcher's tuning constants, in one place: band thresholds, the scorer's weights
and guard rails, retrieval pruning, the IDF prior and the qualifiers' adjustments.

Each is explained in screener.parties.matcher's docstring; the thresholds were chosen on
bench/eval_matching.py's dev split and are reported on its test split. The index, retrieval,
scorer and qualifiers all read them from here.
"""

from __future__ import annotations

#: Band thresholds on the 0..1 score (calibrated in bench/eval_matching.py).
STRONG = 0.90
REVIEW = 0.80

#: Scorer constants (see module docstring).
FLOOR = 0.75  # token pairs below this similarity count as unmatched
GUARD = 0.80  # a distinctive token must be matched at least this well
NEAR_EXACT = 0.85  # single-core-token aliases: exact, or one edit from 7 letters
SHORT = 5  # tokens up to this length ...
SHORT_MALUS = 0.05  # ... lose this much similarity when their first letters differ
LAMBDA_Q = 0.8  # weight of an unmatched query token
LAMBDA_Q_WEAK = 0.5  # ... when it is a generic word, place, legal form or particle
LAMBDA_L = 0.25  # weight of an unmatched list token
LAMBDA_FAMILY = 0.5  # ... when it is the family name of a "LAST, First" list name
LAMBDA_GIVEN = 0.35  # ... when it is a given name or patronymic of such a name
LAMBDA_THIN = 0.6  # ... when the alias has a single distinctive token ("Solar Way Ltd")
ORDER_FACTOR = 0.97
PART_MAX = 0.95  # cap for hits found through a part of the query ("(SMIC)")
TYPE_MALUS = 0.10  # a query with a legal form ("... Co., Ltd.") against a listed person
SPACEFREE_MIN = 0.90  # joined/split whole-name comparison, when one side is one token

PRUNE = 0.45  # candidates whose rare-token estimate is below this are not scored
IDF_PRIOR = 10_000

#: Qualifier adjustments (screener.parties.qualifiers).
COUNTRY_BONUS = 0.05
COUNTRY_MALUS = 0.05
ADDRESS_BONUS = 0.05
