"""convmath.testing: assert_shapes fails with the explanation; pin_shapes shows a change as a diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from torch import nn

from convmath.testing import assert_shapes, pin_shapes


def test_assert_shapes_passes_and_fails_with_the_explanation():
    ok = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ConvTranspose2d(4, 1, 3, 2, 1, output_padding=1))
    assert_shapes(ok, (1, 1, 28, 28), output=(1, 1, 28, 28))
    broken = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ConvTranspose2d(4, 1, 3, 2, 1))
    with pytest.raises(AssertionError, match="set output_padding=1"):
        assert_shapes(broken, (1, 1, 28, 28))
    with pytest.raises(AssertionError, match="in_features=10 but gets 16"):
        assert_shapes(nn.Sequential(nn.Flatten(), nn.Linear(10, 2)), (1, 1, 4, 4))
    with pytest.raises(AssertionError, match="gives 1×4×14×14, not 1×4×28×28"):
        assert_shapes(nn.Conv2d(1, 4, 3, 2, 1), (1, 1, 28, 28), output=(1, 4, 28, 28))


def test_pin_shapes_writes_then_diffs(tmp_path):
    path = tmp_path / "shapes.txt"
    pin_shapes(nn.Conv2d(1, 4, 3, padding=1), (1, 1, 8, 8), path)
    pin_shapes(nn.Conv2d(1, 4, 3, padding=1), (1, 1, 8, 8), path)  # unchanged: passes
    with pytest.raises(AssertionError, match=r"(?s)-0 \(model\) Conv2d: 1×1×8×8 → 1×4×8×8.*\+0 \(model\) Conv2d: "
                                             r"1×1×8×8 → 1×4×6×6"):
        pin_shapes(nn.Conv2d(1, 4, 3), (1, 1, 8, 8), path)


def test_the_pytest_example_in_docs_testing_md_passes(tmp_path):
    """Every test_ function of the python block in docs/testing.md runs and passes (and can fail: a wrong
    output shape given to assert_shapes raises)."""
    text = (Path(__file__).parent.parent / "docs" / "testing.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/testing.md", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert len(tests) == 3
    for test in tests:
        test(tmp_path) if "tmp_path" in test.__code__.co_varnames[:test.__code__.co_argcount] else test()
    with pytest.raises(AssertionError, match="gives 1×1×28×28, not 1×1×27×27"):
        namespace["assert_shapes"](namespace["AutoEncoder"](), (1, 1, 28, 28), output=(1, 1, 27, 27))
