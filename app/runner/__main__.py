"""`python -m app.runner CMD_FD EVT_FD`: the worker process (started by `Driver.start`)."""

import sys
from multiprocessing.connection import Connection

from app.runner.worker import main

if __name__ == "__main__":
    commands = Connection(int(sys.argv[1]))
    events = Connection(int(sys.argv[2]))
    main(commands, events, commands.recv())
