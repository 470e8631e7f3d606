"""Load the jurisdiction profiles (`rules/profiles/*.yaml`), validated by `schemas.profile`."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from schemas.profile import Profile
from screener.packs.jurisdictions import register as register_jurisdictions
from screener.packs.loader import DEFAULT_RULES_DIR
from screener.packs.pack import PackError

PROFILES_DIR = DEFAULT_RULES_DIR / "profiles"


def load_profiles(folder: Path = PROFILES_DIR) -> dict[str, Profile]:
    """Profiles by jurisdiction code, in the order of the files; PackError names bad files.
    A profile's jurisdiction must be one a pack beside the profiles folder declares."""
    register_jurisdictions(folder.parent)
    profiles: dict[str, Profile] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            profile = Profile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except ValidationError as exc:
            problems += [
                f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            ]
            continue
        if profile.jurisdiction in profiles:
            problems.append(f"{path}: second profile for {profile.jurisdiction}")
        profiles[profile.jurisdiction] = profile
    if problems:
        raise PackError(problems)
    return profiles
