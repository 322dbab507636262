"""The matrix-completion loss ``sum W * (mu P mu^T - O)^2`` without forming ``mu P mu^T``.

The weights are one constant ``w0`` off the LFs' own blocks plus a sparse correction ``S``
(entries where LFs co-occur, and left-out cells). The constant part is a Frobenius norm,
computed from ``k x k`` Gram matrices and one (sparse) product with ``O``; the LFs' own blocks
are subtracted block by block; the sparse part is evaluated on its entries only. Cost per
evaluation: ``O(nnz * k + m * k^3 + m k * k^2)`` instead of ``O((m k)^2 * k)``, with the same
value and gradient as the dense sum (up to rounding).

With three LFs and many labels the pairs' blocks are cheaper taken directly
(``PairBlocks``): ``3 k^3`` per pair of LFs, ``9 k^3`` in all, against ``12 k^3`` for the
Gram matrices and own blocks, and no sparse part (the weights are dense ``k x k`` blocks).
A small ``mk x mk`` matrix is cheaper still taken whole (``DenseWeights``): with dense LFs
the sparse correction holds nearly every cell, and gathering its rows entry by entry cost
1.4 ms an evaluation at ``mk = 200`` where two dense products take 0.1 ms.
``loss_weights`` picks the cheapest form; ``weighted_loss`` takes any.
``loss_then_gradient`` returns the value and defers the gradient (for a line search),
working in a ``Scratch`` of arrays the fit reuses from one evaluation to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = [
    "DenseWeights", "FactoredWeights", "PairBlocks", "Scratch", "factor_weights", "loss_then_gradient", "loss_weights",
    "pair_blocks", "weighted_loss",
]

DENSE_CELLS = 1 << 18  # mk x mk matrices up to this many cells are taken whole (mk <= 512)

FloatArray = npt.NDArray[np.float64]


class FactoredWeights(NamedTuple):
    """``W = w0 * (1 - own blocks) + C (same vote, per label) + S (sparse)``, and ``O``'s parts."""

    w0: float
    C: FloatArray  # k x m x m: weight minus w0 where LFs i != j both vote label l (0 for i == j)
    S: sparse.csr_matrix  # weight minus w0 on other-label cells that differ from w0
    S_rows: npt.NDArray[np.intp]  # row of each of S's entries
    S_O: FloatArray  # O at S's entries
    O: sparse.csr_matrix | FloatArray  # sparse when that pays
    O_blocks: FloatArray  # m x k x k: each LF with itself
    O_same: FloatArray  # k x m x m: both LFs vote label l
    O_sq: float  # sum of O^2


class PairBlocks(NamedTuple):
    """``W`` and ``O`` for each pair of LFs ``i < j`` as dense ``k x k`` blocks."""

    i: npt.NDArray[np.intp]
    j: npt.NDArray[np.intp]
    W: FloatArray  # pairs x k x k
    O: FloatArray


class DenseWeights(NamedTuple):
    """``W`` and ``O`` whole (``mk x mk``; ``W`` zero on the own blocks)."""

    W: FloatArray
    O: FloatArray


Weights = DenseWeights | FactoredWeights | PairBlocks
Gradient = Callable[[], FloatArray]


class Scratch:
    """Arrays one fit reuses from one evaluation of its loss to the next.

    Fresh ``mk x k`` temporaries on every evaluation cost more in page faults than in
    arithmetic: the allocator returns them to the system between calls, and at 3 LFs x
    200 classes an evaluation took about 900 faults (a millisecond). ``epoch`` counts the
    evaluations that wrote here, so that a deferred gradient can tell whether a later
    evaluation has since reused its arrays.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, FloatArray] = {}
        self.epoch = 0

    def get(self, name: str, shape: tuple[int, ...], *, zeros: bool = False) -> FloatArray:
        """The array kept under ``name`` (new, and zero if ``zeros``, on first use or when
        ``shape`` changes); its content is whatever the last user left."""
        a = self._arrays.get(name)
        if a is None or a.shape != shape:
            a = self._arrays[name] = np.zeros(shape) if zeros else np.empty(shape)
        return a


def loss_weights(W: FloatArray, O: FloatArray, m: int, k: int) -> Weights:
    """The cheapest form of the weights: pair blocks when their products cost less (``3 k^3``
    per pair against ``4 m k^3``: three LFs), whole matrices when they are small, else the
    factored form."""
    if 3 * m * (m - 1) // 2 < 4 * m:
        return pair_blocks(W, O, m, k)
    if (m * k) ** 2 <= DENSE_CELLS:
        return DenseWeights(np.ascontiguousarray(W), np.ascontiguousarray(O))
    return factor_weights(W, O, m, k)


def pair_blocks(W: FloatArray, O: FloatArray, m: int, k: int) -> PairBlocks:
    i, j = np.triu_indices(m, 1)
    W4, O4 = W.reshape(m, k, m, k), O.reshape(m, k, m, k)
    return PairBlocks(i, j, np.ascontiguousarray(W4[i, :, j, :]), np.ascontiguousarray(O4[i, :, j, :]))


def factor_weights(W: FloatArray, O: FloatArray, m: int, k: int) -> FactoredWeights:
    """Split dense weights ``W`` (zero on the own blocks) into the three parts.

    ``w0`` is the most common weight between different labels, so ``S`` holds only the
    cells where LFs co-occur (in practice): few, when LFs are sparse.
    """
    own = np.kron(np.eye(m, dtype=bool), np.ones((k, k), bool))
    label = np.tile(np.arange(k), m)
    same = label[:, None] == label[None, :]
    other = W[~own & ~same]
    values, counts = np.unique(other, return_counts=True) if other.size else (np.zeros(1), np.ones(1))
    w0 = float(values[counts.argmax()])
    S = sparse.csr_matrix(np.where(own | same, 0.0, W - w0))
    S.eliminate_zeros()
    C = _per_label(W, m, k) - w0 * (1.0 - np.eye(m))
    O_use: sparse.csr_matrix | FloatArray = O
    if np.count_nonzero(O) < 0.25 * O.size:
        O_use = sparse.csr_matrix(O)
    idx = np.arange(m)
    blocks = O.reshape(m, k, m, k)[idx, :, idx, :]
    S_rows = np.repeat(np.arange(S.shape[0]), np.diff(S.indptr))
    return FactoredWeights(
        w0, np.ascontiguousarray(C), S, S_rows, O[S_rows, S.indices], O_use, np.ascontiguousarray(blocks),
        np.ascontiguousarray(_per_label(O, m, k)), float((O**2).sum()),
    )


def _per_label(X: FloatArray, m: int, k: int) -> FloatArray:
    """``k x m x m``: the entries of ``X`` where LF i and LF j both vote label l."""
    return np.asarray(X.reshape(m, k, m, k).diagonal(axis1=1, axis2=3).transpose(2, 0, 1))


def weighted_loss(mu: FloatArray, p: FloatArray, fw: Weights, m: int, k: int) -> tuple[float, FloatArray]:
    """``sum W * (mu P mu^T - O)^2`` and its gradient in ``mu`` (``mk x k``)."""
    val, gradient = loss_then_gradient(mu, p, fw, m, k, Scratch())
    return val, gradient()


def loss_then_gradient(
    mu: FloatArray, p: FloatArray, fw: Weights, m: int, k: int, scratch: Scratch
) -> tuple[float, Gradient]:
    """The loss, and a function that computes its gradient when called.

    A line search rejects some points on the value alone; with pair blocks the gradient
    is two thirds of the products, so it is left until asked for (its function reads
    arrays of ``scratch``: valid until the next evaluation that uses it). The other forms
    compute both at once.
    """
    if isinstance(fw, PairBlocks):
        return _pair_loss(mu, p, fw, m, k, scratch)
    val, grad = _dense_loss(mu, p, fw) if isinstance(fw, DenseWeights) else _factored_loss(mu, p, fw, m, k)
    return val, grad.copy  # a fresh array on every call, as the pair blocks' gradient


def _dense_loss(mu: FloatArray, p: FloatArray, fw: DenseWeights) -> tuple[float, FloatArray]:
    muP = mu * p
    E = muP @ mu.T
    E -= fw.O
    R = fw.W * E
    return float(np.vdot(R, E)), 4.0 * (R @ muP)


def _factored_loss(mu: FloatArray, p: FloatArray, fw: FactoredWeights, m: int, k: int) -> tuple[float, FloatArray]:
    """Written to allocate few ``mk x k`` temporaries (at ``k = 200`` their page faults
    cost as much as the matrix products)."""
    muP = mu * p
    G = mu.T @ mu
    OmuP = np.asarray(fw.O @ muP)
    m3, mP3 = mu.reshape(m, k, k), muP.reshape(m, k, k)
    # w0 over every entry (a Frobenius norm through k x k Gram matrices) ...
    full = float(np.vdot(p[:, None] * G * p[None, :], G)) - 2.0 * float(np.vdot(OmuP, mu)) + fw.O_sq
    grad = muP @ (G * p[None, :])
    grad -= OmuP
    # ... minus the own blocks ...
    E_blocks = np.matmul(mP3, m3.transpose(0, 2, 1))
    E_blocks -= fw.O_blocks
    val = fw.w0 * (full - float(np.vdot(E_blocks, E_blocks)))
    grad -= np.matmul(E_blocks, mP3).reshape(m * k, k)
    grad *= 4.0 * fw.w0
    # ... plus the same-label cells' own weights, label by label ...
    A, AP = m3.transpose(1, 0, 2), mP3.transpose(1, 0, 2)  # k x m x k
    E_same = np.matmul(AP, A.transpose(0, 2, 1)) - fw.O_same
    R_same = fw.C * E_same
    val += float(np.vdot(R_same, E_same))
    by_label = np.matmul(R_same, AP)
    by_label *= 4.0
    grad.reshape(m, k, k)[...] += by_label.transpose(1, 0, 2)
    # ... plus the sparse correction, on its entries only.
    if fw.S.nnz:
        val += _sparse_part(mu, muP, fw, grad)
    return val, grad


def _sparse_part(mu: FloatArray, muP: FloatArray, fw: FactoredWeights, grad: FloatArray) -> float:
    """The sparse correction's loss; its gradient is added to ``grad``. The entries' products
    are taken a block of rows at a time (``mu``'s rows gathered per entry would be ``nnz x k``
    at once: megabytes at ``k = 200``, fresh pages on every call)."""
    S, val = fw.S, 0.0
    R = np.empty(S.nnz)
    step = max(1, (1 << 15) // max(mu.shape[1], 1))  # entries per block: 256 KB of gathered rows
    for lo in range(0, S.nnz, step):
        block = slice(lo, lo + step)
        E = np.einsum("iy,iy->i", muP[fw.S_rows[block]], mu[S.indices[block]]) - fw.S_O[block]
        R[block] = S.data[block] * E
        val += float(R[block] @ E)
    grad += 4.0 * (sparse.csr_matrix((R, S.indices, S.indptr), shape=S.shape) @ muP)
    return val


def _pair_loss(mu: FloatArray, p: FloatArray, pb: PairBlocks, m: int, k: int, scratch: Scratch) -> tuple[float, Gradient]:
    """The loss block by block over the pairs ``i < j`` (each block counts twice: ``W`` and
    ``O`` are symmetric), and its gradient deferred. The blocks are multiplied in place,
    as views: gathering each pair's two ``k x k`` blocks first cost half a millisecond per
    call at ``k = 200``."""
    m3 = mu.reshape(m, k, k)
    mP3 = np.multiply(m3, p, out=scratch.get("mP", m3.shape))
    E = scratch.get("E", pb.O.shape)
    for t, (i, j) in enumerate(zip(pb.i, pb.j)):
        np.matmul(mP3[i], m3[j].T, out=E[t])
    E -= pb.O
    R = np.multiply(pb.W, E, out=scratch.get("R", E.shape))
    val = 2.0 * float(np.vdot(R, E))

    def gradient() -> FloatArray:
        R4 = np.multiply(R, 4.0, out=E)  # E is not needed past the value
        grad, block = scratch.get("grad", m3.shape), scratch.get("block", (k, k))
        started = np.zeros(m, bool)  # a block's first product is written, not added to 0
        for t, (i, j) in enumerate(zip(pb.i, pb.j)):
            for a, R_t, other in ((i, R4[t], mP3[j]), (j, R4[t].T, mP3[i])):
                if started[a]:
                    grad[a] += np.matmul(R_t, other, out=block)
                else:
                    np.matmul(R_t, other, out=grad[a])
                    started[a] = True
        grad[~started] = 0.0
        return grad.reshape(m * k, k)

    return val, gradient
