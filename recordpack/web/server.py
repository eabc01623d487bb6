"""Run the web app on 127.0.0.1 with uvicorn until Ctrl-C or the page's Close button."""

from __future__ import annotations

import socket
from pathlib import Path

import uvicorn

from recordpack.web.app import WebApp, create_app
from recordpack.web.security import Secrets

HOST = "127.0.0.1"


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: any free port). ``OSError`` when taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    return sock


class Server:
    """The app and its uvicorn server on one bound socket."""

    def __init__(self, sock: socket.socket, folder: Path | None = None) -> None:
        self.sock = sock
        self.secrets = Secrets(port=sock.getsockname()[1])
        app, self.web = create_app(self.secrets, folder, shutdown=self.stop)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.uvicorn = uvicorn.Server(config)

    @property
    def url(self) -> str:
        return self.secrets.url("/records" if self.web.session.folder else "/")

    @property
    def app(self) -> WebApp:
        return self.web

    def stop(self) -> None:
        self.uvicorn.should_exit = True

    def run(self) -> None:
        """Serve until stopped; running jobs are cancelled and waited for (no half-written file)."""
        try:
            self.uvicorn.run(sockets=[self.sock])
        finally:
            self.web.jobs.cancel_all()
            self.web.jobs.join_all()
            self.sock.close()
