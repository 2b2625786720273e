"""Reusable mobjects: number grid, kernel window, formula panel, shape badge, code panel, caption, tensor stack."""

from .grid import MINUS, MIN_READABLE, NumberGrid, fit_cell_size, format_number, number_font_size, readable_cell
from .panels import (EDGE_MARGIN, Caption, CodePanel, FormulaPanel, ShapeBadge, TextPath, keep_inside, one_path,
                     scene_title, shape_text, swap_caption)
from .window import KernelWindow
from .padded import padded_grid
from .images import DigitImage, GaussianRings, LatentPlot, LatentVector, LayerBlock, flow_arrow
from .graph import GraphNode, forward_edge, gradient_edge
from .network import BlockSpec, FeatureMaps, NetworkBlock, NetworkDiagram, block_box_size, block_specs
from .tensor import TensorStack

__all__ = [
    "NumberGrid",
    "fit_cell_size",
    "format_number",
    "MIN_READABLE",
    "MINUS",
    "number_font_size",
    "readable_cell",
    "KernelWindow",
    "FormulaPanel",
    "ShapeBadge",
    "CodePanel",
    "Caption",
    "swap_caption",
    "shape_text",
    "scene_title",
    "keep_inside",
    "EDGE_MARGIN",
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
    "BlockSpec",
    "FeatureMaps",
    "NetworkBlock",
    "NetworkDiagram",
    "block_box_size",
    "block_specs",
    "one_path",
    "TextPath",
    "TensorStack",
]
