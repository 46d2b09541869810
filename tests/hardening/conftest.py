"""Fixtures for the hardening checks: the staff side's accounts and browsers, and the
results side's released wave and promotion counts (shared, not copied)."""

from __future__ import annotations

from tests.admin import conftest as staff_side
from tests.results import conftest as results_side

new_client = staff_side.new_client
login = staff_side.login
password_hash = staff_side.password_hash
staff = staff_side.staff
_fresh_throttle = staff_side._fresh_throttle
results_wave = results_side.results_wave
pipeline_counts = results_side.pipeline_counts
admin_client = staff_side.admin_client
form_token = staff_side.form_token
