"""convmath: convolution arithmetic that agrees with PyTorch and Keras, numbers for the scenes."""

from .ambiguity import OutputAmbiguity, output_ambiguity
from .arithmetic import (
    ConvArithmeticError,
    conv_input_sizes,
    conv_output_size,
    output_padding_for,
    transposed_output_size,
)
from .counts import (
    ConvCounts,
    SeparableCounts,
    conv_counts,
    group_channels,
    separable_counts,
    stack_inputs,
    stack_reach,
)
from .design import design_layers
from .explain import (Formula, explain_adaptive_pool, explain_conv, explain_pixel_shuffle, explain_pool,
                      explain_transposed, explain_upsample)
from .pooling import (adaptive_pool_output_size, pixel_shuffle_shape, pixel_unshuffle_shape, pool_input_sizes,
                      pool_output_size, upsample_output_size)
from .receptive import Layer, layers_from_model, projective_field, receptive_field, receptive_table
from .resample import checkerboard, interpolate, pixel_shuffle, resize_conv, stamp_cells, stamp_counts, upsampling
from .trace import (ConvNdTrace, ConvTrace, TransposedConvTrace, conv1d_trace, conv2d_trace, conv3d_trace, conv_matrix,
                    conv_transpose2d_trace)

__all__ = [
    "ConvArithmeticError",
    "conv_output_size",
    "transposed_output_size",
    "conv_input_sizes",
    "output_padding_for",
    "output_ambiguity",
    "OutputAmbiguity",
    "design_layers",
    "explain_conv",
    "explain_transposed",
    "Formula",
    "pool_output_size",
    "pool_input_sizes",
    "upsample_output_size",
    "adaptive_pool_output_size",
    "pixel_shuffle_shape",
    "pixel_unshuffle_shape",
    "explain_pool",
    "explain_upsample",
    "explain_adaptive_pool",
    "explain_pixel_shuffle",
    "conv2d_trace",
    "conv_transpose2d_trace",
    "conv_matrix",
    "ConvTrace",
    "TransposedConvTrace",
    "conv1d_trace",
    "conv3d_trace",
    "ConvNdTrace",
    "conv_counts",
    "separable_counts",
    "stack_reach",
    "stack_inputs",
    "group_channels",
    "ConvCounts",
    "SeparableCounts",
    "stamp_cells",
    "stamp_counts",
    "upsampling",
    "checkerboard",
    "interpolate",
    "pixel_shuffle",
    "resize_conv",
    "Layer",
    "layers_from_model",
    "receptive_field",
    "projective_field",
    "receptive_table",
]

_LAZY = {"shape_trace": "shapes", "trace_model": "shapes", "assert_shapes": "testing", "pin_shapes": "testing"}


def __getattr__(name: str):
    """The torch-backed names (shape_trace, trace_model, assert_shapes, pin_shapes), imported on first use so
    ``import convmath`` stays light."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'convmath' has no attribute {name!r}")
