"""Reusable mobjects: number grid, kernel window, formula panel, shape badge, code panel ..."""

from .grid import NumberGrid, fit_cell_size, format_number

__all__ = ["NumberGrid", "fit_cell_size", "format_number"]
