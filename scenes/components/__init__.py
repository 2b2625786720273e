"""Reusable mobjects: number grid, kernel window, formula panel, shape badge, code panel, caption."""

from .grid import NumberGrid, fit_cell_size, format_number
from .panels import Caption, CodePanel, FormulaPanel, ShapeBadge, scene_title, shape_text
from .window import KernelWindow
from .padded import padded_grid
from .images import DigitImage, GaussianRings, LatentPlot, LatentVector, LayerBlock, flow_arrow
from .graph import GraphNode, forward_edge, gradient_edge

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
    "scene_title",
    "padded_grid",
    "DigitImage",
    "LatentPlot",
    "GaussianRings",
    "LayerBlock",
    "LatentVector",
    "flow_arrow",
    "GraphNode",
    "forward_edge",
    "gradient_edge",
]
