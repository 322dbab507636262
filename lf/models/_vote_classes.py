"""Which class each vote of each LF points to, for the moment fit's symmetry assumption.

The moment fit breaks the model's label-permutation symmetry by assuming every vote ``l`` of
an LF fires most often on class ``l`` (better than random). One LF can contradict that, and
then the assumption teaches the model that the LF is right when it is always wrong. The other
LFs that vote ``l`` are the judge: a vote is taken to point to class ``c`` instead when

* it is associated *against* the other LFs' votes for ``l`` (they fire on other rows than
  chance predicts: Stouffer's z over those LFs at most ``-Z_REVERSED``), and
* it is associated *with* the other LFs' votes for ``c`` (z at least ``+Z_REVERSED``; the
  strongest such ``c``).

Each pair's statistic is ``sqrt(n) * phi``, the z of the 2 x 2 test of independence of the
two vote indicators (phi: their correlation). Only LFs whose own vote for the label is not
under suspicion count as judges, so two LFs for one label that exclude each other judge
nobody, and a label with a single LF keeps the assumption (nothing can contradict it).
Under conditional independence, two better-than-random binary votes for one label are never
negatively correlated, so an LF flagged this way is worse than random or the votes for its
label are strongly dependent; both tests at 5 sigma keep chance and mild dependencies out
(the WRENCH sets' strongest same-label anti-association is -3.6, with no pull to another
class).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["Z_REVERSED", "vote_classes"]

FloatArray = npt.NDArray[np.float64]
Z_REVERSED = 5.0


def vote_classes(O: FloatArray, n: float, m: int, k: int) -> npt.NDArray[np.intp]:
    """For each row ``j * k + l`` of ``O`` (agreement frequencies of ``n`` rows), the class
    LF ``j``'s vote ``l`` is fitted as pointing to: ``l`` unless the LFs voting ``l``
    contradict it (module docstring)."""
    own = np.tile(np.arange(k), m)
    if n <= 0 or m < 2:
        return own
    blocks = O.reshape(m, k, m, k)
    d = np.diag(O).reshape(m, k)
    voted = d > 0
    same = _pair_z(np.einsum("jlil->lji", blocks), d.T[:, :, None], d.T[:, None, :], n)  # k x m x m
    suspect = np.zeros((m, k), bool)
    for _ in range(2):  # flag, then judge again with the suspects' own votes left out
        judges = voted & ~suspect
        suspect = voted & (_stouffer(same, judges.T) <= -Z_REVERSED).T
    out = own.copy()
    for j, l in zip(*np.nonzero(suspect)):
        # z of this vote against every other LF's votes for each class c
        z = _pair_z(blocks[j, l], d[j, l], d, n)  # m x k
        pull = np.full(k, -np.inf)
        for c in range(k):
            others = judges[:, c].copy()
            others[j] = False
            if c != l and others.any():
                pull[c] = float(z[others, c].sum() / np.sqrt(others.sum()))
        c = int(np.argmax(pull))
        if pull[c] >= Z_REVERSED:
            out[j * k + l] = c
    return out


def _pair_z(joint: FloatArray, a: FloatArray | float, b: FloatArray, n: float) -> FloatArray:
    """``sqrt(n) * phi`` of pairs of vote indicators from their joint rate and their own
    rates ``a``, ``b`` (broadcast); 0 where one never fires or always does."""
    spread = np.sqrt(np.asarray(a) * (1.0 - np.asarray(a)) * b * (1.0 - b))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(spread > 0, (joint - np.asarray(a) * b) / spread, 0.0)
    return np.asarray(z * np.sqrt(n), np.float64)


def _stouffer(same: FloatArray, judges: npt.NDArray[np.bool_]) -> FloatArray:
    """``k x m``: for each label ``l`` and LF ``j``, Stouffer's z of ``j``'s vote for ``l``
    against the votes for ``l`` of the other LFs among ``judges`` (``k x m``; 0 without any)."""
    J = judges.astype(np.float64)
    own = np.einsum("ljj->lj", same) * J  # each LF's term with itself, taken out again
    total = np.einsum("lji,li->lj", same, J) - own
    count = J.sum(axis=1, keepdims=True) - J
    return np.where(count > 0, total / np.sqrt(np.maximum(count, 1.0)), 0.0)
