"""A small thread-safe LRU, for feature vectors and ready-made responses."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class LRU:
    """A small thread-safe LRU cache (``None`` is never stored: it means "absent").

    Reading or writing a key makes it the most recently used; past ``size`` entries the
    least recently used one is dropped. One lock guards every operation, so the routes'
    threads can share an instance.

    Parameters
    ----------
    size : int
        The most entries kept.

    Examples
    --------
    >>> cache = LRU(2)
    >>> cache.put("a", 1)
    >>> cache.put("b", 2)
    >>> cache.get("a")
    1
    >>> cache.put("c", 3)  # "b" is now the least recently used: dropped
    >>> cache.get("b") is None
    True
    >>> cache.get_or("b", lambda: 20)
    20
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The value stored under ``key``, now the most recently used, or None.

        Parameters
        ----------
        key : hashable
            The entry's key.

        Returns
        -------
        object or None
            The value, or None when the key is absent (never stored, or dropped).
        """
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value`` under ``key`` as the most recently used; drop the oldest past the size.

        Parameters
        ----------
        key : hashable
            The entry's key; an existing entry is replaced.
        value : object
            The value; not None (None reads as absent, so :meth:`get_or` would rebuild it).
        """
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def get_or(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value under ``key``, made by ``make()`` and stored when absent.

        ``make`` runs outside the lock: two threads missing the same key at once may both
        make it (the last one stored wins), and an exception of ``make`` stores nothing.

        Parameters
        ----------
        key : hashable
            The entry's key.
        make : callable
            Builds the value when the key is absent; should not return None.

        Returns
        -------
        object
            The cached value, or the one just made.
        """
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()
