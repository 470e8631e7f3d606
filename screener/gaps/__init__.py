"""Where jurisdictions disagree: the baseline gap analysis and matrix (`analysis`) and its
self-contained HTML heat map (`report`)."""
