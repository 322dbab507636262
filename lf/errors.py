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
    "RowSelectionError",
    "WorkerError",
]


#: How an ``on_error="raise"`` failure says it could be counted instead: the CLI shows its
#: ``--on-error abstain`` in place of this phrase (lf/cli/__init__.py).
ON_ERROR_HINT = "pass on_error='abstain'"


class LFError(Exception):
    """Root of every error raised by ``lf``."""


class LFDefinitionError(LFError, TypeError, ValueError):
    """A labeling function or preprocessor is defined wrongly (bad decorator use, duplicate name)."""


class ParameterError(LFError, ValueError, TypeError):
    """A parameter of an ``lf`` function or class has a value it does not accept.

    The message names the parameter, the value received and what is allowed.
    """


class RowSelectionError(ParameterError, IndexError):
    """A row selection of a label matrix (``L[rows]``) reaches past its rows; an IndexError
    too, as numpy's would be."""


class LFOutputError(LFError, ValueError):
    """A labeling function returned something that is not a label in range."""


class LFRuntimeError(LFError, RuntimeError):
    """A labeling function raised while being applied (``on_error="raise"``).

    Made by :meth:`wrapping`, it is also an instance of the LF's own exception type when
    that is a builtin one, so ``except KeyError`` (or Snorkel-era code expecting the LF's
    ``AttributeError``) still catches it; the LF's exception is its ``__cause__``.
    """

    @classmethod
    def wrapping(cls, message: str, cause: BaseException) -> LFRuntimeError:
        """An ``LFRuntimeError`` saying ``message`` that is also a ``type(cause)`` when that is
        a builtin ``Exception`` type that can be a base of it; else a plain one."""
        base = type(cause)
        if isinstance(cause, (LFError, *_NOT_MIXED)) or not isinstance(cause, Exception) or base.__module__ != "builtins":
            return cls(message)  # a user's exception class may need what its __init__ sets
        return _also(message, base)


# OSError: lf catches it around its own file writes, where an LF's would read as a write
# failure; StopIteration: raised out of a generator it becomes another error (PEP 479).
_NOT_MIXED = (OSError, Warning, StopIteration, StopAsyncIteration)


def _also(message: str, base: type[BaseException]) -> LFRuntimeError:
    if issubclass(LFRuntimeError, base):
        return LFRuntimeError(message)
    namespace = {
        "__module__": __name__,
        "__doc__": LFRuntimeError.__doc__,
        "__str__": BaseException.__str__,  # KeyError's own would show the message quoted
        "__reduce__": lambda self: (_also, (str(self), base)),  # the recipe, not this class
    }
    try:
        both = type("LFRuntimeError", (LFRuntimeError, base), namespace)
        error = both(message)
    except Exception:  # noqa: BLE001 - a type that cannot be a base here or be built from a message
        return LFRuntimeError(message)
    assert isinstance(error, LFRuntimeError)
    return error


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
