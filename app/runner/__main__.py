"""`python -m app.runner CMD_FD EVT_FD`: the worker process (started by `Driver.start`)."""

import sys

from app.runner.channel import Channel
from app.runner.frames import EVENTS
from app.runner.worker import main

if __name__ == "__main__":
    commands = Channel(int(sys.argv[1]), EVENTS)
    events = Channel(int(sys.argv[2]), EVENTS)
    main(commands, events, commands.recv())
