/* slow_fsync.c: an LD_PRELOAD shim for bench-persist that makes fsync and
 * fdatasync take HEATPAD_BENCH_FSYNC_MS longer, as on an SD card, where
 * one fsync commonly takes tens of milliseconds. Benchmarks only. */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int fsync(int fd);
int fdatasync(int fd);

static void pause_ms(void)
{
        const char *s = getenv("HEATPAD_BENCH_FSYNC_MS");
        double ms = s ? atof(s) : 0;
        struct timespec ts = { (time_t)(ms / 1000),
                               (long)((ms - (double)(time_t)(ms / 1000) * 1000)
                                      * 1e6) };

        if (ms > 0)
                nanosleep(&ts, NULL);
}

int fsync(int fd)
{
        int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

        pause_ms();
        return real(fd);
}

int fdatasync(int fd)
{
        int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");

        pause_ms();
        return real(fd);
}
