"""What the python integration suites share: waiting for a condition and
running a list of test functions to one closing line ("LABEL: N passed,
N failed"), which make check and CI read."""
import sys
import time
import traceback


def wait_until(pred, what, timeout=10, step=0.05):
    """Polls pred() until it holds; fails the test naming `what`."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


def run_tests(tests, label, select=None):
    """Runs each test (those select(fn) keeps), printing ok/FAIL with its
    time and a traceback on failure; returns the number that failed."""
    passed = failed = 0
    t_all = time.time()
    for fn in tests:
        if select and not select(fn):
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.1f s)" % (fn.__name__, time.time() - t0))
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc()
        sys.stdout.flush()
    print("%s: %d passed, %d failed (%.0f s)" % (label, passed, failed,
                                                 time.time() - t_all))
    return failed
