#!/usr/bin/env python3
"""The sct_bench workloads with Python's multiprocessing, for comparison.

Prints "name value unit" lines with the names sct_bench uses for sct's own
figures, so bench/compare.sh can put them side by side. Where Python cannot
do a workload it prints "<name>_fails <detail> note" instead.

    python3 bench/python_peer.py [--quick]
    python3 bench/python_peer.py --manager [--quick]

--manager measures only what sct_mpi is compared with (bench/mpi_bench.sh):
Python's answer for objects shared beyond one process tree, a
multiprocessing.managers server holding a Value and a Lock, and two client
processes each incrementing the Value under the Lock through their
proxies (two requests to the server per increment, as for any remote
caller). Prints "manager_locked_increment median min max ns".
"""
import multiprocessing as mp
import os
import statistics
import sys
import time

QUICK = "--quick" in sys.argv
REPS = 3 if QUICK else 5


def report(name, value, unit):
    print(f"{name} {value:.6g} {unit}", flush=True)


def med(fn):
    return statistics.median(fn() for _ in range(REPS))


def uncontended(lock):
    v = mp.Value("q", 0, lock=lock)
    raw = v.get_obj()  # .value on the wrapper would take the lock again
    n = 20000 if QUICK else 100000

    def run():
        start = time.perf_counter()
        for _ in range(n):
            with v.get_lock():
                raw.value += 1
        return (time.perf_counter() - start) / n * 1e9
    return med(run)


def locked_read():
    v = mp.Value("q", 0)
    n = 20000 if QUICK else 100000

    def run():
        start = time.perf_counter()
        for _ in range(n):
            v.value
        return (time.perf_counter() - start) / n * 1e9
    return med(run)


def contender(v, go, stop, done, me):
    mine = 0
    raw = v.get_obj()
    go.wait()
    while not stop.is_set():
        with v.get_lock():
            raw.value += 1
        mine += 1
    done[me] = mine


def contended(procs):
    window = 0.25 if QUICK else 1.0
    rates, fairs = [], []
    for _ in range(REPS):
        v = mp.Value("q", 0)
        done = mp.Array("q", procs)
        go, stop = mp.Event(), mp.Event()
        ps = [mp.Process(target=contender, args=(v, go, stop, done, i))
              for i in range(procs)]
        for p in ps:
            p.start()
        time.sleep(0.05)
        start = time.perf_counter()
        go.set()
        time.sleep(window)
        stop.set()
        elapsed = time.perf_counter() - start
        for p in ps:
            p.join()
        total = sum(done)
        assert total == v.value, "lost increments"
        rates.append(total / elapsed)
        fairs.append(min(done) / (total / procs))
    return statistics.median(rates), statistics.median(fairs)


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE")


def many_values():
    target = 1_000_000
    values = []
    rss = resident_bytes()
    start = time.perf_counter()
    try:
        for i in range(target):
            values.append(mp.Value("q", i))
    except (OSError, MemoryError) as e:
        report("values_1m_create_fails", len(values), f"values({type(e).__name__})")
        return
    report("values_1m_create", time.perf_counter() - start, "s")
    report("values_1m_rss_per_value", (resident_bytes() - rss) / target, "B")


def arrays():
    n = 1_000_000
    start = time.perf_counter()
    a = mp.Array("d", n)
    report("array_1m_create", (time.perf_counter() - start) * 1e3, "ms")
    a[:] = [float(i) for i in range(n)]

    def run():
        start = time.perf_counter()
        with a.get_lock():
            sum(a.get_obj())
        return (time.perf_counter() - start) * 1e3
    report("array_1m_sum_sct", med(run), "ms")


def nop():
    pass


def start_join(method):
    ctx = mp.get_context(method)
    n = 10 if QUICK else 50

    def run():
        start = time.perf_counter()
        for _ in range(n):
            p = ctx.Process(target=nop)
            p.start()
            p.join()
        return (time.perf_counter() - start) / n * 1e3
    return med(run)


def queue_producer(q, size, n):
    item = bytes(size)
    for _ in range(n):
        q.put(item)


def queue_rate(size):
    """Items per second from one producer process through mp.Queue."""
    n = 20000 if QUICK else 200000

    def run():
        q = mp.Queue(1024)
        p = mp.Process(target=queue_producer, args=(q, size, n))
        start = time.perf_counter()
        p.start()
        for _ in range(n):
            q.get()
        rate = n / (time.perf_counter() - start)
        p.join()
        return rate
    return med(run)


def pingpong_player(cond, turn, me, rounds):
    for _ in range(rounds):
        with cond:
            cond.wait_for(lambda: turn.value == me)
            turn.value = 1 - me
            cond.notify()


def pingpong():
    """Microseconds per round trip of a turn handed between two processes
    with mp.Condition."""
    rounds = 2000 if QUICK else 20000

    def run():
        cond = mp.Condition(mp.Lock())
        turn = mp.RawValue("q", 0)
        p = mp.Process(target=pingpong_player, args=(cond, turn, 1, rounds))
        start = time.perf_counter()
        p.start()
        pingpong_player(cond, turn, 0, rounds)
        p.join()
        return (time.perf_counter() - start) * 1e6 / rounds
    return med(run)


def manager_client(value, lock, n, go):
    go.wait()
    for _ in range(n):
        with lock:
            value.value += 1


def manager_increment():
    """ns per locked increment per client, 2 clients, as mpi_bench times
    its ranks (the slower client's time / n)."""
    from multiprocessing.managers import SyncManager
    n = 500 if QUICK else 2000
    times = []
    with SyncManager() as m:
        value, lock = m.Value("q", 0), m.Lock()
        for _ in range(REPS):
            go = mp.Event()
            clients = [mp.Process(target=manager_client,
                                  args=(value, lock, n, go))
                       for _ in range(2)]
            for c in clients:
                c.start()
            time.sleep(0.5)  # both started
            start = time.perf_counter()
            go.set()
            for c in clients:
                c.join()
            times.append((time.perf_counter() - start) / n * 1e9)
            if any(c.exitcode != 0 for c in clients):
                sys.exit("manager_locked_increment: a client failed")
        if value.value != 2 * n * REPS:
            sys.exit(f"manager_locked_increment: counted {value.value}, "
                     f"not {2 * n * REPS}")
    times.sort()
    print(f"manager_locked_increment {times[len(times) // 2]:.1f} "
          f"{times[0]:.1f} {times[-1]:.1f} ns", flush=True)


def main():
    report("queue_8B_sct", queue_rate(8), "items/s")
    report("queue_256B_sct", queue_rate(256), "items/s")
    report("cond_pingpong_sct", pingpong(), "us")
    report("process_fork_sct", start_join("fork"), "ms")
    report("process_spawn_sct", start_join("spawn"), "ms")
    report("uncontended_rlock_incr", uncontended(True), "ns")
    report("uncontended_lock_incr", uncontended(mp.Lock()), "ns")
    report("locked_read_sct", locked_read(), "ns")
    for procs in (2, 4):
        rate, fair = contended(procs)
        report(f"contended{procs}_sct", rate, "ops/s")
        report(f"fairness{procs}_sct", fair, "share")
    # A lock whose holder died: Python's Lock and RLock have no way to
    # report it; the next acquire blocks forever.
    print("owner_death_median_fails blocks forever", flush=True)
    arrays()
    many_values()


if __name__ == "__main__":
    mp.set_start_method("fork")
    if "--manager" in sys.argv:
        manager_increment()
    else:
        main()
