"""Exceptions raised for libtriage status codes."""

__all__ = [
    "TriageError", "InvalidArgument", "NotFound", "AlreadyExists", "StateError",
    "OutOfRange", "VersionError", "ConflictError", "StoreError", "UserCallbackError",
    "CorruptError", "from_code",
]


class TriageError(Exception):
    """A libtriage call failed.

    Attributes: ``code`` (the negative C status), ``message`` (the C library's
    message), ``argument`` (the offending argument, field or rule; "" if none)
    and ``cause`` (a storage callback's own code, else 0).
    """

    code = None

    def __init__(self, code, message, argument="", cause=0):
        super().__init__(message)
        self.code = code
        self.message = message
        self.argument = argument
        self.cause = cause

    def __str__(self):
        if self.argument:
            return f"{self.message} [{self.argument}]"
        return self.message

    def __reduce__(self):
        # Pickles with its four fields (and any notes), so an error raised in
        # a worker process reaches the caller (triage.replicate and friends).
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("code", "message", "argument", "cause")}
        return (type(self), (self.code, self.message, self.argument, self.cause), state or None)


class InvalidArgument(TriageError, ValueError):
    """TRIAGE_EINVAL: an argument is invalid."""


class NotFound(TriageError, LookupError):
    """TRIAGE_ENOTFOUND: no object with that id."""


class AlreadyExists(TriageError):
    """TRIAGE_EEXISTS: an object with that id exists already."""


class StateError(TriageError):
    """TRIAGE_ESTATE: the transition is not allowed; ``argument`` names the rule."""


class OutOfRange(TriageError, ValueError):
    """TRIAGE_ERANGE: a value is outside the supported range."""


class VersionError(TriageError):
    """TRIAGE_EVERSION: unsupported struct or store version."""


class ConflictError(TriageError):
    """TRIAGE_ECONFLICT: the operation conflicts with stored data."""


class StoreError(TriageError):
    """TRIAGE_ESTORE: a storage callback failed."""


class UserCallbackError(TriageError):
    """TRIAGE_EUSER: a user callback stopped the operation."""


class CorruptError(TriageError):
    """TRIAGE_ECORRUPT: stored data is damaged or invalid.

    ``argument`` names the record kind and field ("case.stage"). Never retry:
    the data must be repaired or restored from a backup.
    """


class _MemoryError(TriageError, MemoryError):
    """TRIAGE_ENOMEM."""


_BY_CODE = {
    -1: InvalidArgument,
    -2: _MemoryError,
    -3: NotFound,
    -4: AlreadyExists,
    -5: StateError,
    -6: OutOfRange,
    -7: VersionError,
    -8: ConflictError,
    -9: StoreError,
    -10: UserCallbackError,
    -11: CorruptError,
}


def from_code(code, message, argument="", cause=0):
    """Builds the exception for a C status code (used by the extension)."""
    cls = _BY_CODE.get(code, TriageError)
    return cls(code, message, argument, cause)
