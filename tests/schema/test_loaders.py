"""PageLoader.load_many: one batch call for the keys not loaded yet, keys loading elsewhere
awaited (not loaded twice), and a failed batch leaves nothing stale behind."""

import asyncio

import pytest

from schema.loaders import PageLoader


def _loader(calls, fail_on=None):
    async def batch(keys):
        calls.append(list(keys))
        await asyncio.sleep(0)
        if fail_on is not None and fail_on in keys:
            raise RuntimeError("database down")
        return [ValueError(f"bad {k}") if k == "bad" else k * 10 for k in keys]

    return PageLoader(batch)


async def test_load_many_reads_only_the_keys_not_loaded_yet():
    calls = []
    loader = _loader(calls)
    assert await loader.load_many([1, 2, 2, 3]) == [10, 20, 20, 30]
    assert await loader.load_many([3, 4, 1]) == [30, 40, 10]
    assert calls == [[1, 2, 3], [4]]


async def test_a_key_loading_elsewhere_is_awaited_not_loaded_again():
    calls = []
    loader = _loader(calls)
    pending = loader.load(5)  # batched by strawberry's loader on the next loop turn
    assert await asyncio.gather(loader.load_many([5, 6]), pending) == [[50, 60], 50]
    assert sorted(map(sorted, calls)) == [[5], [6]]
    calls.clear()
    both = await asyncio.gather(loader.load_many([7, 8]), loader.load_many([8, 9]))
    assert both == [[70, 80], [80, 90]] and sorted(map(sorted, calls)) == [[7, 8], [9]]


async def test_a_failed_batch_leaves_no_stale_entry_and_a_bad_value_fails_its_key():
    calls = []
    loader = _loader(calls, fail_on=2)
    with pytest.raises(RuntimeError):
        await loader.load_many([1, 2])
    assert 1 not in loader.cache_map.cache_map and 2 not in loader.cache_map.cache_map
    loader.load_fn = _loader(calls).load_fn  # the database is back
    assert await loader.load_many([1, 2]) == [10, 20]
    with pytest.raises(ValueError, match="bad bad"):
        await loader.load_many(["bad"])
    assert await loader.load_many([1]) == [10]


async def test_a_cancelled_load_many_does_not_leave_others_waiting():
    started = asyncio.Event()

    async def slow(keys):
        started.set()
        await asyncio.sleep(10)
        return keys

    loader = PageLoader(slow)
    task = asyncio.ensure_future(loader.load_many([1]))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    loader.load_fn = _loader([]).load_fn
    assert await asyncio.wait_for(loader.load_many([1]), 1) == [10]
