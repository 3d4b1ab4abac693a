"""Warm kernels: reuse one Jupyter kernel for the successive jobs of a worker process.

Starting a kernel and importing pandas, matplotlib and the library costs about 2.5 s, more
than a briefing's own work. A worker process therefore keeps its kernel between jobs and
hands it to papermill (``km=``, which papermill passes to nbclient; nbclient then neither
starts nor shuts it down). Before each job the kernel is reset to a fresh session:

- the user namespace is cleared and the execution count restarts at 1
  (``InteractiveShell.reset(new_session=True)``), so no variable of one notebook is seen by
  the next and the executed notebook looks exactly like one from a new kernel;
- open figures are closed and the working directory is restored.

What a reset cannot undo is process-wide state a notebook changes on purpose (imported
modules stay imported; ``pd.set_option``, ``rcParams``, ``os.environ`` changes persist). The
package's notebooks change none of it except through ``charts.use_chinese_font``, which
every notebook calls. After a cell error the kernel is idle and is reused; after a timeout
(it may still be busy) or when it died it is shut down, and every kernel after ``max_jobs``
jobs, so memory cannot creep. The kernel's client is kept too (see ``PersistentClient``).
``q1brief run --fresh-kernels`` turns reuse off.

Every kernel of a batch, warm or fresh, talks to its worker over Unix sockets in a private
folder (:class:`IPCKernelManager`), not over loopback TCP: the batch runs on one machine,
and a socket file readable only by its owner is not open to other users of the machine.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import CaselessStrEnum, Type, default

RESET_CODE = """\
get_ipython().reset(new_session=True)
if "matplotlib.pyplot" in __import__("sys").modules:
    __import__("sys").modules["matplotlib.pyplot"].close("all")
__import__("os").chdir({cwd!r})
"""
# As nbclient does for the kernels it starts: no shared IPython history database (several
# kernels writing one SQLite file fail, and notebook code has no business on disk there).
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
log = logging.getLogger(__name__)


class PersistentClient(AsyncKernelClient):
    """A kernel client that starts its channels and waits for the kernel only once.

    nbclient calls ``start_channels`` and ``wait_for_ready`` for every notebook. Starting
    again would fail (the heartbeat is a thread), and the hand-shake idles about 0.2 s
    per job; once it succeeded the channels stay connected, and the pool has just had the
    kernel answer its reset on them.
    """

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        """Start the channels the first time only."""
        if not self.__dict__.get("_q1brief_started"):
            super().start_channels(*args, **kwargs)
            self.__dict__["_q1brief_started"] = True

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        """The full hand-shake the first time only."""
        if not self.__dict__.get("_q1brief_ready"):
            await super().wait_for_ready(timeout=timeout)
            self.__dict__["_q1brief_ready"] = True


_SOCKET_DIR: str | None = None


def socket_dir() -> str:
    """This process's private folder (mode 0700) for kernel sockets, removed at exit."""
    global _SOCKET_DIR
    if _SOCKET_DIR is None or not os.path.isdir(_SOCKET_DIR):
        _SOCKET_DIR = tempfile.mkdtemp(prefix="q1brief-ipc-")
        atexit.register(shutil.rmtree, _SOCKET_DIR, True)
    return _SOCKET_DIR


class IPCKernelManager(AsyncKernelManager):
    """An async kernel manager whose kernel listens on Unix sockets (``ipc`` transport) in
    :func:`socket_dir`, short paths well under the 107-byte limit of a socket name."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _ip_default(self) -> str:
        return os.path.join(socket_dir(), uuid.uuid4().hex[:12])


class TrackedKernelManager(IPCKernelManager):
    """An AsyncKernelManager that hands out one client, kept for the jobs of its thread.

    nbclient does not close the client of a kernel it does not own, and makes a new one per
    notebook; returning the same client avoids both the open sockets and the hand-shake.
    The client is tied to the thread (and so the event loop) that made it.
    """

    client_factory = Type(klass=PersistentClient)

    def client(self, *args: Any, **kwargs: Any) -> PersistentClient:
        """This thread's client of the kernel, made on first use."""
        thread, kc = self.__dict__.get("_q1brief_client", (None, None))
        if kc is not None and thread == threading.get_ident():
            return kc
        self.stop_clients()
        kc = super().client(*args, **kwargs)
        self.__dict__["_q1brief_client"] = (threading.get_ident(), kc)
        return kc

    def stop_clients(self) -> None:
        """Stop the channels of the kept client, if any."""
        _, kc = self.__dict__.pop("_q1brief_client", (None, None))
        if kc is not None:
            kc.stop_channels()


@dataclass
class _Warm:
    km: TrackedKernelManager
    jobs: int = 0


class KernelPool:
    """At most one warm kernel per kernel name, for the jobs one process runs in turn."""

    def __init__(self, max_jobs: int = 50, reset_timeout: float = 20) -> None:
        self.max_jobs = max_jobs
        self.reset_timeout = reset_timeout
        self._warm: dict[str, _Warm] = {}

    def acquire(self, kernel_name: str) -> TrackedKernelManager:
        """A running kernel reset to a fresh session: the warm one, or a newly started one."""
        warm = self._warm.get(kernel_name)
        if warm is not None and warm.jobs < self.max_jobs and run_sync(warm.km.is_alive)():
            try:
                run_sync(self._reset)(warm.km)
                warm.jobs += 1
                return warm.km
            except Exception as exc:  # replaced by a new kernel; the job itself is unaffected
                log.warning("warm kernel could not be reset (%s: %s); starting a new one",
                            type(exc).__name__, exc)
        self.discard(kernel_name)
        km = TrackedKernelManager(kernel_name=kernel_name)
        run_sync(km.start_kernel)(cwd=os.getcwd(), extra_arguments=KERNEL_ARGUMENTS)
        self._warm[kernel_name] = _Warm(km, jobs=1)
        return km

    def release(self, kernel_name: str, ok: bool) -> None:
        """After a job: shut the kernel down unless it is known to be idle.

        ``ok`` means the job ended with the kernel idle (it succeeded, or a cell raised and
        replied); after a timeout or a lost kernel it may still be busy or gone.
        """
        if not ok:
            self.discard(kernel_name)

    def discard(self, kernel_name: str) -> None:
        """Shut down (immediately) the warm kernel of this name, if any."""
        warm = self._warm.pop(kernel_name, None)
        if warm is None:
            return
        warm.km.stop_clients()
        with contextlib.suppress(Exception):  # already dead: nothing left to stop
            run_sync(warm.km.shutdown_kernel)(now=True)

    def close(self) -> None:
        """Shut down every warm kernel (at process exit)."""
        for name in list(self._warm):
            self.discard(name)

    async def _reset(self, km: TrackedKernelManager) -> None:
        """Run :data:`RESET_CODE` and wait for its reply (on the shell channel, by id)."""
        kc = km.client()
        kc.start_channels()
        msg_id = kc.execute(RESET_CODE.format(cwd=os.getcwd()), silent=True, store_history=False)
        async with asyncio.timeout(self.reset_timeout):
            while True:
                reply = await kc.get_shell_msg()
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"reset code failed: {reply['content'].get('evalue')}")


_POOL: KernelPool | None = None


def process_pool() -> KernelPool:
    """This process's kernel pool, created on first use and closed when the process exits.

    Kernels also exit by themselves when their parent process dies (ipykernel polls it).
    """
    global _POOL
    if _POOL is None:
        _POOL = KernelPool()
        atexit.register(_POOL.close)
    return _POOL
