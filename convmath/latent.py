"""Where to look in a latent space: a typical encoding per class, points in the gaps between encodings, and how
much of the class the encodings carry."""

from __future__ import annotations

import numpy as np

__all__ = ["class_representative", "gap_points", "class_accuracy"]


def class_representative(codes: np.ndarray, labels: np.ndarray, label: int) -> int:
    """The index of the encoding of class ``label`` nearest to that class's mean encoding (a real data point)."""
    codes, labels = np.asarray(codes, dtype=float), np.asarray(labels)
    members = np.flatnonzero(labels == label)
    if members.size == 0:
        raise ValueError(f"label={label!r} has no data points: use one of {sorted(set(labels.tolist()))}.")
    centre = codes[members].mean(axis=0)
    return int(members[np.argmin(np.linalg.norm(codes[members] - centre, axis=1))])


def gap_points(codes: np.ndarray, n: int, labels: np.ndarray | None = None, anchors: int = 60,
               quantile: float = 0.05, spread: float = 0.12) -> np.ndarray:
    """``n`` 2-D points between encodings and far from all of them: the gaps of a latent space.

    Candidates are midpoints of pairs of anchors (the class mean encodings when ``labels`` are given,
    else ``anchors`` evenly spaced encodings) that fall inside the bulk of the data (its
    ``quantile``..1-``quantile`` box); the one farthest from every encoding is picked, and the next picks
    keep at least ``spread`` of the box's diagonal away from earlier ones (fewer picks if none is left).
    """
    codes = np.asarray(codes, dtype=float)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"codes must be (N, 2), got shape {codes.shape}.")
    classes = [] if labels is None else sorted(c for c in set(np.asarray(labels).tolist()) if c >= 0)
    if len(classes) >= 2:
        anchor = np.array([codes[np.asarray(labels) == c].mean(axis=0) for c in classes])
    else:
        anchor = codes[:: max(1, len(codes) // anchors)]
    first, second = np.triu_indices(len(anchor), k=1)
    candidates = (anchor[first] + anchor[second]) / 2
    low, high = np.quantile(codes, quantile, axis=0), np.quantile(codes, 1 - quantile, axis=0)
    candidates = candidates[np.all((candidates >= low) & (candidates <= high), axis=1)]
    if len(candidates) == 0:
        candidates = anchor
    nearest = np.min(np.linalg.norm(candidates[:, None, :] - codes[None, :, :], axis=2), axis=1)
    keep_away = spread * float(np.linalg.norm(high - low))
    picks = []
    for _ in range(n):
        if not np.isfinite(nearest).any():
            break
        best = int(np.argmax(nearest))
        picks.append(candidates[best])
        nearest[np.linalg.norm(candidates - candidates[best], axis=1) < keep_away] = -np.inf
    return np.array(picks).reshape(len(picks), 2)


def class_accuracy(codes: np.ndarray, labels: np.ndarray, neighbours: int = 10, folds: int = 5) -> float | None:
    """How well the encodings tell the class: the accuracy of a ``neighbours``-nearest-neighbour classifier on
    the codes, ``folds``-fold cross-validated (shuffled, seeded). Chance is about 1 / number of classes.

    None when it cannot be measured: fewer than two classes, or a class with fewer encodings than ``folds``,
    or fewer encodings per fold than ``neighbours``."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    codes, labels = np.asarray(codes, dtype=float), np.asarray(labels)
    if codes.ndim != 2 or labels.shape != (len(codes),):
        raise ValueError(f"codes {codes.shape} and labels {labels.shape} do not match: give (N, d) and (N,).")
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2 or counts.min() < folds or len(codes) * (folds - 1) // folds < neighbours:
        return None
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    return float(cross_val_score(KNeighborsClassifier(neighbours), codes, labels, cv=split).mean())
