"""``kill -9`` a real hall process at varying moments, start it again, and let it finish.

For tests of "a crash at any point loses nothing and repeats nothing": the
sync's watermark committed with its page, the outbox's claims, and later the
payment steps (notification → fulfilment → outbox). An exception raised in
the test process is not a crash - ``finally`` blocks run and transactions roll
back politely. SIGKILL is: the process stops between two instructions, with
a transaction half sent and sockets and files left as they were.

The child is any command (``python -m core.cli …`` or a small driver script)
that prints a line starting with :data:`MARK` each time it has made a step of
progress. :func:`kill_and_resume` starts it and tells it (``HALL_CRASH_AFTER``)
to SIGKILL itself a seeded random delay of a few milliseconds after a seeded
random number of those steps, so the kill lands anywhere inside the next
step; then it starts it again. The child kills itself rather than the parent
killing it on reading the line: a parent slowed down by a loaded machine read
the line late and killed a child that had long run on, sometimes to the end.
After ``kills`` kills - or as soon as a round finishes by itself - one last
uninterrupted run must exit with status 0. The test then asserts on the databases what an uninterrupted run would have left.

To crash at one exact point instead (between the legacy write and the hall's
commit, say), the child calls :func:`checkpoint` there and the test uses
:func:`kill_at`: the child stops at that checkpoint and is killed while it
waits, so the kill cannot land anywhere else.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

REPO = Path(__file__).resolve().parents[2]
MARK = "progress"
HALT = "halted"
KILL_AFTER = "HALL_CRASH_AFTER"  # environment: "<steps> <seconds>": SIGKILL itself that long after its n-th step
STOP_AT = "HALL_CRASH_AT"  # environment: the checkpoint ("name" or "name#n", its n-th pass) where the child waits to be killed
HUNG = 600.0  # seconds without a line from the child before it counts as hung (a safety net, not a time limit)

Command = Sequence[str] | Callable[[int], Sequence[str]]


@dataclass
class Round:
    """One start of the child: killed or not, how far it got, what it printed."""

    number: int
    killed: bool
    steps: int  # progress lines printed
    returncode: int
    output: list[str] = field(default_factory=list)

    def lines(self, prefix: str = MARK) -> list[str]:
        return [line for line in self.output if line.startswith(prefix)]


@dataclass
class CrashRun:
    rounds: list[Round]

    @property
    def kills(self) -> int:
        return sum(r.killed for r in self.rounds)

    @property
    def final(self) -> Round:
        return self.rounds[-1]

    def lines(self, prefix: str = MARK) -> list[str]:
        return [line for r in self.rounds for line in r.lines(prefix)]


def python(*args: str) -> list[str]:
    """A command line running this interpreter (the hall's venv)."""
    return [sys.executable, *args]


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a hall child: unbuffered output, the repository importable, ``extra`` on top."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


_passes: dict[str, int] = {}


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _arm_self_kill(steps_taken: int) -> None:
    """After the step ``HALL_CRASH_AFTER`` names, SIGKILL this process from a timer thread, mid-way through what follows."""
    planned = os.environ.get(KILL_AFTER, "").split()
    if len(planned) != 2 or steps_taken != int(planned[0]):
        return
    delay = float(planned[1])
    if delay <= 0:
        _kill_self()
    timer = threading.Timer(delay, _kill_self)
    timer.daemon = True
    timer.start()


def checkpoint(name: str, detail: str = "") -> None:
    """In the child: report a step of progress; stop for good here if ``HALL_CRASH_AT`` names this pass of it."""
    count = _passes[name] = _passes.get(name, 0) + 1
    print(f"{MARK} {name} {detail}".rstrip(), flush=True)
    _arm_self_kill(sum(_passes.values()))
    if os.environ.get(STOP_AT) in (name, f"{name}#{count}"):
        print(f"{HALT} {name}#{count}", flush=True)
        while True:  # blocks the event loop too: nothing moves on until the SIGKILL
            time.sleep(3600)


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def run_once(
    command: Sequence[str],
    *,
    env: dict | None = None,
    cwd: Path | str | None = None,
    kill_after: int | None = None,
    delay: float = 0.0,
    number: int = 0,
) -> Round:
    """Run ``command``; with ``kill_after``, it SIGKILLs itself ``delay`` seconds after its ``kill_after``-th step.

    A child that halts at a checkpoint (``HALL_CRASH_AT``) is killed at once.
    """
    env = dict(env or child_env())
    env.pop(KILL_AFTER, None)
    if kill_after is not None:
        env[KILL_AFTER] = f"{kill_after} {delay:.6f}"
    proc = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=cwd or REPO,
        start_new_session=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    output: list[str] = []
    steps, killed = 0, False
    try:
        while True:
            try:
                line = lines.get(timeout=HUNG)
            except queue.Empty:
                raise AssertionError(
                    f"child {command} printed nothing for {HUNG:.0f} s:\n" + "\n".join(output[-40:])
                ) from None
            if line is None:
                break
            output.append(line)
            if line.startswith(HALT) and proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
            elif line.startswith(MARK):
                steps += 1
        returncode = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        try:  # anything the child started (its own session): gone with it, as with a killed container
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    # killed at a checkpoint by us, or by itself after kill_after steps
    return Round(
        number, (killed or kill_after is not None) and returncode == -signal.SIGKILL, steps, returncode, output
    )


def kill_and_resume(
    command: Command,
    *,
    env: dict | None = None,
    cwd: Path | str | None = None,
    seed: int = 0,
    kills: int = 4,
    after: tuple[int, int] = (1, 3),
    delay: tuple[float, float] = (0.0, 0.02),
    finish: Command | None = None,
) -> CrashRun:
    """Kill ``command`` up to ``kills`` times at seeded random moments, then run it (or ``finish``) to the end.

    ``command`` is an argv, or ``fn(round_number) -> argv`` when each start
    needs different arguments (a clock moved on, say). A round that is not
    killed must exit 0; the last, uninterrupted one always must. Rounds come
    back for the test's own assertions (``run.kills``, ``run.lines()``).
    """
    rng = random.Random(seed)
    argv = command if callable(command) else (lambda _n: command)
    rounds: list[Round] = []
    for number in range(kills):
        r = run_once(
            argv(number), env=env, cwd=cwd, kill_after=rng.randint(*after), delay=rng.uniform(*delay), number=number
        )
        rounds.append(r)
        if not r.killed:
            assert r.returncode == 0, f"round {number} failed by itself (exit {r.returncode}):\n" + "\n".join(
                r.output[-40:]
            )
            break  # it finished before the kill: nothing left to interrupt
    last = finish if finish is not None else argv
    final = run_once((last if callable(last) else (lambda _n: last))(len(rounds)), env=env, cwd=cwd, number=len(rounds))
    rounds.append(final)
    assert final.returncode == 0, f"the final run failed (exit {final.returncode}):\n" + "\n".join(final.output[-40:])
    return CrashRun(rounds)


def kill_at(command: Sequence[str], point: str, *, env: dict | None = None, cwd: Path | str | None = None) -> Round:
    """Run ``command`` until it reaches :func:`checkpoint` ``point`` ("name" or "name#n") and SIGKILL it there."""
    r = run_once(command, env={**(env or child_env()), STOP_AT: point}, cwd=cwd)
    assert r.killed, f"the child never reached checkpoint {point!r} (exit {r.returncode}):\n" + "\n".join(
        r.output[-40:]
    )
    return r
