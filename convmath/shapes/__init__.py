"""Shape trace of a real model: every step a tensor takes, convmath's prediction for each size-changing step,
the decoder-mirrors-encoder and batch checks, and a failing forward explained with the value that fixes it.

Modules: :mod:`.record` (running the forward), :mod:`.predict` (sizes and formulas per op), :mod:`.mirror`
(whole-model checks), :mod:`.fixes` (parameter values that reach a size), :mod:`.failure` (a forward that
raises), :mod:`.report` (table, JSON, loading ``module:factory`` targets).
"""

from .failure import Failure, explain_failure
from .mirror import Mismatch, check_batch, check_mirror
from .record import FailedCall, Step, record_forward, shape_trace
from .report import Trace, format_table, load_model, parse_shape, trace_command, trace_json, trace_model

__all__ = ["Step", "Mismatch", "Failure", "FailedCall", "Trace", "shape_trace", "trace_model", "record_forward",
           "check_mirror", "check_batch", "explain_failure", "load_model", "format_table", "trace_json",
           "parse_shape", "trace_command"]
