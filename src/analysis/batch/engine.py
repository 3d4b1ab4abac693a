"""The papermill engine of a batch: nbclient's, saving the executed notebook only when it ends.

papermill's default engine writes the whole notebook (JSON with the embedded charts, then a
schema validation) to the output file before and after every cell: about 30 writes per
briefing, 0.35 s of worker CPU during which the kernel waits. A batch job's output file is
a private temp file the worker reads once, at the end (see :mod:`analysis.batch.worker`),
so only the last write is ever read. This engine writes it once, when the notebook ends,
however it ends (finished, a cell error or a timeout), so a failed job still returns its
partial notebook; papermill itself writes it again after a cell error and at the end.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

ENGINE_NAME = "q1brief"


class _SaveAtEnd(NotebookExecutionManager):
    """A manager whose per-cell and autosave writes are skipped; the final one is kept."""

    def save(self, **kwargs: Any) -> None:
        if self.__dict__.get("_q1brief_ending"):
            super().save(**kwargs)

    def notebook_complete(self, **kwargs: Any) -> None:
        self.__dict__["_q1brief_ending"] = True
        super().notebook_complete(**kwargs)


class SaveAtEndEngine(NBClientEngine):
    """nbclient execution, as papermill's default engine, with :class:`_SaveAtEnd`."""

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, output_path: str | None = None,
                         progress_bar: bool = True, log_output: bool = False,
                         autosave_cell_every: int = 30, **kwargs: Any) -> Any:
        """As :meth:`papermill.engines.Engine.execute_notebook`, with the manager that saves once."""
        nb_man = _SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                            autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, SaveAtEndEngine)
