"""`python -m app.runner CMD_FD EVT_FD`: the worker process (started by `Driver.start`).

`python -m app.runner --stdio`: the same worker over its stdin and stdout, as `ssh` starts it
on a remote host (`Driver(remote=...)`). The two descriptors are moved away first, stdin then
reads /dev/null and stdout writes to stderr, so nothing a script prints or native code writes
can ever corrupt the channel (print() travels as Output events anyway).
"""

import contextlib
import os
import sys

from app.runner.channel import Channel
from app.runner.frames import EVENTS, FrameError
from app.runner.threads import DEFAULT_THREADS, thread_env


def stdio() -> None:
    # ssh passes no environment of ours: set the BLAS/OpenMP threads before numpy loads (the
    # options' own decoding loads it), as `Driver.start` does for a local worker. A remote
    # worker runs with the default; `Driver(threads=N)` is a local setting.
    os.environ.update(thread_env({}, DEFAULT_THREADS))
    read_fd, write_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    with contextlib.suppress(OSError):  # already a session leader under sshd: fine
        os.setsid()
    channel = Channel(read_fd, EVENTS, write_fd=write_fd)
    try:
        options = channel.recv()
    except (EOFError, OSError, FrameError) as exc:
        print(f"gradscope worker: no options from the window: {exc}", file=sys.stderr)
        sys.exit(2)
    channel.compress = bool(options.remote)
    options.threads = DEFAULT_THREADS  # what the libraries were loaded with (see above)
    from app.runner.worker import main

    main(channel, channel, options)


if __name__ == "__main__":
    if sys.argv[1:] == ["--stdio"]:
        stdio()
    else:
        from app.runner.worker import main

        commands = Channel(int(sys.argv[1]), EVENTS)
        events = Channel(int(sys.argv[2]), EVENTS)
        main(commands, events, commands.recv())
