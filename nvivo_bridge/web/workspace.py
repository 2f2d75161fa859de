"""Workspaces: one per uploaded project, each in its own folder under the run's private folder.

A workspace id is random, so two browser tabs (or two uploads) never share files; a workspace's
``lock`` lets one job at a time write from its project, while the read-only codings index answers
page requests concurrently.  Uploaded files are stored under their cleaned names only (never a
path from the request) and capped by the CLI's limits (:class:`~nvivo_bridge.options.Limits`):
``max_member_bytes`` per file, ``max_total_bytes`` per workspace, ``max_members`` files.
"""
from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Optional

from ..errors import ReadError
from ..model import Project
from ..options import Limits
from .jobs import JobCancelled
from .security import safe_filename, safe_join

__all__ = ["Workspace", "Workspaces", "Upload", "UploadRefused"]


class UploadRefused(Exception):
    """An upload over a limit, or into a workspace that is already read; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int = 413) -> None:
        super().__init__(message)
        self.status = status


class Workspace:
    """One uploaded project: its files, the model once read, and what the pages derive from it."""

    def __init__(self, root: Path, limits: Limits) -> None:
        self.id = secrets.token_urlsafe(9)
        self.folder = root / f"ws-{self.id}"
        self.folder.mkdir(mode=0o700)
        (self.folder / "in").mkdir(mode=0o700)
        (self.folder / "out").mkdir(mode=0o700)
        self.folder = self.folder.resolve()
        self.limits = limits
        self.files: list[str] = []
        self.uploaded = 0
        self.status = "uploading"    # uploading | reading | ready | failed | cancelled
        self.error: Optional[str] = None
        self.project: Optional[Project] = None
        self.view: Any = None        # web.browse.CodingsView once read
        self.mapping: Any = None     # web.mapping.MappingState once read
        self.read_seconds: Optional[float] = None
        self.lock = threading.Lock()          # one writer at a time on this project
        self._upload_lock = threading.Lock()

    @property
    def name(self) -> str:
        """A display name: the project's, else the first file's."""
        if self.project is not None and self.project.name:
            return self.project.name
        return self.files[0] if self.files else self.id

    @property
    def stem(self) -> str:
        """A base for download file names."""
        first = self.files[0].split("/")[0] if self.files else "project"
        base = first.rsplit(".", 1)[0] if len(self.files) == 1 else (self.name or first)
        return safe_filename(base, 60).replace(" ", "_") or "project"

    def add_file(self, name: str) -> "Upload":
        """Begin storing one uploaded file; ``name`` may be a relative path (a folder chosen in the
        browser), each part cleaned and at most 8 deep.  Write it with :meth:`Upload.write`
        (refused past the limits) and end with :meth:`Upload.finish`."""
        parts = [safe_filename(p) for p in (name or "").replace("\\", "/").split("/") if p.strip(" .")]
        parts = parts[-8:] or ["upload"]
        with self._upload_lock:
            if self.status != "uploading":
                raise UploadRefused("this project is already opened; start a new one", 409)
            if len(self.files) >= self.limits.max_members:
                raise UploadRefused(f"more than {self.limits.max_members} files")
            clean = "/".join(parts)
            if clean in self.files:
                stem, dot, suffix = parts[-1].rpartition(".")
                parts[-1] = f"{stem or parts[-1]}-{len(self.files) + 1}{dot}{suffix if dot else ''}"
                clean = "/".join(parts)
            self.files.append(clean)
        try:
            path = safe_join(self.folder / "in", *parts)
            for parent in reversed(path.relative_to(self.folder / "in").parents[:-1]):
                (self.folder / "in" / parent).mkdir(mode=0o700, exist_ok=True)
            return Upload(self, clean, path)
        except (OSError, ValueError):
            with self._upload_lock:
                self.files.remove(clean)
            raise

    def input_path(self) -> Path:
        """What to read: the one file, or the folder of several (NVivo exports)."""
        if not self.files:
            raise ReadError("no file was uploaded", hint="drop a project file on the page first")
        inbox = self.folder / "in"
        if len(self.files) == 1 and "/" not in self.files[0]:
            return inbox / self.files[0]
        tops = {f.split("/", 1)[0] for f in self.files}
        # A chosen folder arrives as "folder/…" for every file: read that folder.
        if len(tops) == 1 and all("/" in f for f in self.files):
            return inbox / tops.pop()
        return inbox

    def open(self, job: Any) -> dict:
        """Read the project and build the page indexes (run as a job)."""
        from ..api import read
        from .browse import CodingsView
        from .mapping import MappingState

        self.status = "reading"
        t0 = time.perf_counter()
        try:
            project = read(self.input_path(), limits=self.limits)
            job.check()
            self.read_seconds = time.perf_counter() - t0
            view = CodingsView(project)
            mapping = MappingState(project)
            job.check()
        except JobCancelled:
            self.status = "cancelled"
            raise
        except BaseException as exc:
            from .api import describe_error
            self.status, self.error = "failed", self.plain(describe_error(exc))
            raise
        self.project, self.view, self.mapping = project, view, mapping
        self.status = "ready"
        # The search blob is not needed to show the counts; build it while the user looks at them.
        threading.Thread(target=view.prepare_search, daemon=True).start()
        return {"redirect": f"/p/{self.id}/"}

    def plain(self, message: str) -> str:
        """``message`` with this workspace's private folder left out of the file names it gives."""
        for folder in (self.folder / "in", self.folder / "out"):
            message = message.replace(f"{folder}/", "").replace(str(folder), "")
        return message

    def out_dir(self, job_id: str) -> Path:
        """A fresh output folder for one job (``out/<job id>``)."""
        folder = safe_join(self.folder / "out", job_id)
        folder.mkdir(mode=0o700)
        return folder

    def output_file(self, job_id: str, name: str) -> Path:
        """A finished output named by a request, refused if it would leave the workspace."""
        path = safe_join(self.folder / "out", job_id, name)
        if not path.is_file():
            raise FileNotFoundError(name)
        return path


class Upload:
    """One file being uploaded into a workspace, checked against the limits as bytes arrive."""

    def __init__(self, ws: Workspace, name: str, path: Path) -> None:
        self.ws, self.name, self.path, self.size = ws, name, path, 0
        self._fh = open(path, "xb")
        os.chmod(path, 0o600)

    def write(self, chunk: bytes) -> None:
        """Append ``chunk``; past a limit the file is removed and :class:`UploadRefused` raised."""
        limits = self.ws.limits
        self.size += len(chunk)
        if self.size > limits.max_member_bytes:
            self.abort()
            raise UploadRefused(f"'{self.name}' is larger than the limit of "
                                f"{limits.max_member_bytes // (1024 * 1024)} MiB per file (--max-member-mb)")
        if self.ws.uploaded + self.size > limits.max_total_bytes:
            self.abort()
            raise UploadRefused("the files together are larger than the total limit (NVIVO_BRIDGE_MAX_TOTAL_MB)")
        self._fh.write(chunk)

    def finish(self) -> Path:
        """Close the file and count it in the workspace's total."""
        self._fh.close()
        with self.ws._upload_lock:
            self.ws.uploaded += self.size
        return self.path

    def abort(self) -> None:
        """Remove the partial file and forget it."""
        self._fh.close()
        self.path.unlink(missing_ok=True)
        with self.ws._upload_lock:
            if self.name in self.ws.files:
                self.ws.files.remove(self.name)


class Workspaces:
    """Every workspace of this server run, under its private folder (mode 0700)."""

    def __init__(self, root: Path, limits: Optional[Limits] = None) -> None:
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.limits = limits or Limits.from_env()
        self._all: dict[str, Workspace] = {}
        self._lock = threading.Lock()

    def create(self) -> Workspace:
        """A new, empty workspace."""
        ws = Workspace(self.root, self.limits)
        with self._lock:
            self._all[ws.id] = ws
        return ws

    def get(self, ws_id: str) -> Optional[Workspace]:
        """The workspace of that id, or None."""
        with self._lock:
            return self._all.get(ws_id)

    def all(self) -> list[Workspace]:
        """Every workspace, in upload order."""
        with self._lock:
            return list(self._all.values())

    def close(self, ws_id: str) -> bool:
        """Forget a workspace and delete its folder (its project leaves memory); False when unknown."""
        with self._lock:
            ws = self._all.pop(ws_id, None)
        if ws is None:
            return False
        with ws.lock:  # a download being written finishes first
            ws.project = ws.view = ws.mapping = None
            ws.status = "closed"
            shutil.rmtree(ws.folder, ignore_errors=True)
        return True

    def remove_all(self) -> None:
        """Delete the private folder and everything in it (at shutdown)."""
        shutil.rmtree(self.root, ignore_errors=True)
