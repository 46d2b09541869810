"""Results for staff: dashboards, charts, the JSON API and CSV/XLSX/PDF exports.

Every figure comes from survey.reporting (after disclosure control), becomes a Table
(tables.py) once, and every output renders that Table. Two blueprints: `results`
(pages and exports, /results) and `api` (JSON, /api). Access is declared in
survey/admin/access.py like every staff endpoint (deny by default).
"""

from survey.results.api import bp as api_bp
from survey.results.views import bp

__all__ = ["api_bp", "bp"]
