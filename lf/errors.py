"""The one exception tree of ``lf``.

Every error ``lf`` raises on purpose derives from :class:`LFError`, and each subclass also
inherits the builtin exception a Python user would expect (``ValueError``, ``TypeError`` ...),
so ``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "LFDefinitionError",
    "LFError",
    "LFImportError",
    "LFOutputError",
    "LFRuntimeError",
    "MissingExtraError",
    "NotFittedError",
    "ParameterError",
    "WorkerError",
]


class LFError(Exception):
    """Root of every error raised by ``lf``."""


class LFDefinitionError(LFError, TypeError, ValueError):
    """A labeling function or preprocessor is defined wrongly (bad decorator use, duplicate name)."""


class ParameterError(LFError, ValueError, TypeError):
    """A parameter of an ``lf`` function or class has a value it does not accept.

    The message names the parameter, the value received and what is allowed.
    """


class LFOutputError(LFError, ValueError):
    """A labeling function returned something that is not a label in range."""


class LFRuntimeError(LFError, RuntimeError):
    """A labeling function raised while being applied (``on_error="raise"``)."""


class WorkerError(LFError, RuntimeError):
    """A worker process of the pool engine died mid-run (killed by a signal, e.g. out of
    memory), or the Dask workers could not load the LFs.

    The message names the worker's pid and how it ended, and how to resume the run; or what
    the workers could not load.
    """


class LFImportError(LFError, ImportError):
    """A module of labeling functions could not be found or imported."""


class DataError(LFError, ValueError):
    """Input data is unusable: missing file, unknown format, missing column, empty corpus."""


class NotFittedError(LFError, ValueError, AttributeError):
    """A model was used before ``fit``."""


class MissingExtraError(LFError, ImportError):
    """An optional dependency is needed; the message gives the install command."""


def require(module: str, extra: str) -> object:
    """Import ``module`` or fail with the exact command that installs the extra providing it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"This feature needs the '{module}' package. Install it with: pip install 'lf[{extra}]'"
        ) from exc
