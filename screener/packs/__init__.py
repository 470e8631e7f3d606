"""The rule packs as typed data: loading and validating `rules/` (`loader`), the reference
tables and dated country sets they carry (`tables`, `country_sets`), the member states' packs
built on the EU's (`member_states`), the jurisdiction profiles (`profiles`), the control-code
readings the packs allow (`derivation`, `jp_numbering`), the clause index by CCL entry
(`index`) and a clause's dates of effect (`effective`)."""
