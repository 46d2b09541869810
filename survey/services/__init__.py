"""Domain operations: plain functions over the session; they flush, the request commits."""


class DomainError(Exception):
    """A request that the domain refuses, with a message fit to show the person."""


class NotFound(DomainError):
    """The thing asked for does not exist."""
