"""The warm worker: analysis commands run in a background process that has everything imported and the
store's hot tables in memory (see :mod:`grondstof.launch`).

* :mod:`~grondstof.warm.protocol` — the socket, the messages, running a command on a worker (standard
  library only: the caller imports nothing else);
* :mod:`~grondstof.warm.worker` — the worker process (``python -m grondstof.warm.worker SOCKET``).
"""
