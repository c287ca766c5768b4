"""The service's loop runs every task above one frame with a 256 KiB declared stack
(eventloop.py), so that no request's frames sit on a CPython stack-chunk boundary."""

import asyncio
import sys

from uvicorn.config import Config

import eventloop


def _frames_below_here() -> list:
    frame, frames = sys._getframe(), []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


def test_tasks_run_above_the_roomy_frame():
    async def probe() -> list:
        await asyncio.sleep(0)  # resumed by the loop, as every request's steps are
        return _frames_below_here()

    with asyncio.Runner(loop_factory=eventloop.new_event_loop) as runner:
        frames = runner.run(probe())
    roomy = [f for f in frames if f.f_code is eventloop._roomy_call.__code__]
    assert len(roomy) == 1
    assert roomy[0].f_code.co_stacksize == eventloop.ROOM_SLOTS
    # the loop's own machinery (and so every task step) sits above it
    names = [f.f_code.co_name for f in frames]
    assert names.index("_run_once") < names.index("_call")


def test_a_plain_loop_has_no_roomy_frame():
    async def probe() -> list:
        await asyncio.sleep(0)
        return _frames_below_here()

    frames = asyncio.run(probe())
    assert not [f for f in frames if f.f_code is eventloop._roomy_call.__code__]


def test_call_with_room_passes_arguments_and_result_through():
    assert eventloop.call_with_room(divmod, 17, 5) == (3, 2)


def test_uvicorn_accepts_the_loop_by_name():
    factory = Config(app="main:create_app", factory=True, loop="eventloop:new_event_loop").get_loop_factory()
    loop = factory()
    try:
        assert isinstance(loop, eventloop.RoomyEventLoop)
    finally:
        loop.close()
