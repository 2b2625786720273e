"""Reusable mobjects: number grid, kernel window, formula panel, shape badge, code panel, caption."""

from .grid import NumberGrid, fit_cell_size, format_number
from .panels import Caption, CodePanel, FormulaPanel, ShapeBadge, shape_text
from .window import KernelWindow
from .padded import padded_grid

__all__ = [
    "NumberGrid",
    "fit_cell_size",
    "format_number",
    "KernelWindow",
    "FormulaPanel",
    "ShapeBadge",
    "CodePanel",
    "Caption",
    "shape_text",
    "padded_grid",
]
