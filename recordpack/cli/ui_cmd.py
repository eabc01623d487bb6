"""``recordpack ui``: the local web app in the browser."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from recordpack.cli.base import handle_errors, main, warn
from recordpack.errors import UsageError

#: Signals that stop the server cleanly (running tasks cancelled, nothing half-written).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@main.command("ui")
@click.argument(
    "folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--no-browser", is_flag=True, help="Do not open a browser; only print the address to open."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="The port on 127.0.0.1 to listen on (0: any free port).",
)
@handle_errors
def ui_command(folder: Path | None, no_browser: bool, port: int) -> None:
    """Open recordpack in your web browser: choose, check and send your records.

    The page runs on this computer only (127.0.0.1) and needs the secret link
    printed here. With FOLDER, it opens straight on that folder's records.
    Stop it with Ctrl-C or the page's "Close recordpack" button.
    """
    from recordpack.web.server import Server, bind

    try:
        sock = bind(port)
    except OSError as error:
        raise UsageError(
            f"cannot listen on port {port}: {error.strerror or error}",
            hint="Choose another port with --port, or --port 0 for any free one.",
        ) from None
    server = Server(sock, folder)
    # Ctrl-C (or a kill) from the moment the address is shown asks the server to stop;
    # a KeyboardInterrupt raised at a random point of start-up could be swallowed.
    stops = {sig: signal.signal(sig, lambda *_: server.stop()) for sig in STOP_SIGNALS}
    try:
        click.echo(server.url)  # flushed: a script may read it at once
        warn("recordpack: open the address above in your browser; press Ctrl-C here to stop.")
        if not no_browser:
            import webbrowser

            webbrowser.open(server.url)
        server.run()
    except KeyboardInterrupt:
        server.web.jobs.cancel_all()
        server.web.jobs.join_all()
    finally:
        for sig, previous in stops.items():
            signal.signal(sig, previous)
    warn("recordpack: stopped.")
