"""Shared pytest setup: hypothesis profiles.

"ci" (the default) is derandomized with no deadline, so a run never flakes and never depends on
the machine's speed. Set HYPOTHESIS_PROFILE=dev to explore with fresh random examples.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
