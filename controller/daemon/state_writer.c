/* state_writer.c: see state_writer.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/state_writer.h"

struct state_writer {
        pthread_t thread;
        pthread_mutex_t mu;
        pthread_cond_t cv;              /* to the thread: a post or quit */
        pthread_cond_t done_cv;         /* from it: a write finished */
        int fd;                         /* eventfd: a write finished */
        char *path;
        state_writer_save_fn save;
        /* Under mu. */
        bool waiting;                   /* next is a snapshot to write */
        bool quit;
        struct state_data next;
        uint64_t posted;                /* the newest snapshot's number */
        uint64_t next_seq;              /* next's number */
        bool unseen;                    /* a result take has not reported */
        uint64_t done_seq;              /* the newest finished write */
        int done_rc;
};

static void *writer_main(void *arg)
{
        struct state_writer *w = arg;
        /* The thread's own copy: the file is written outside the lock, so
         * a post never waits for an fsync. */
        struct state_data st;

        pthread_mutex_lock(&w->mu);
        for (;;) {
                while (!w->waiting && !w->quit)
                        pthread_cond_wait(&w->cv, &w->mu);
                if (!w->waiting)
                        break;          /* quit, and nothing left to write */
                uint64_t seq = w->next_seq;
                st = w->next;
                w->waiting = false;
                pthread_mutex_unlock(&w->mu);

                int rc = w->save(w->path, &st);

                pthread_mutex_lock(&w->mu);
                w->done_seq = seq;
                w->done_rc = rc;
                w->unseen = true;
                pthread_cond_broadcast(&w->done_cv);
                uint64_t one = 1;
                /* Only fails when the counter would overflow; it is read
                 * long before that. */
                if (write(w->fd, &one, sizeof(one)) < 0)
                        (void)0;
        }
        pthread_mutex_unlock(&w->mu);
        return NULL;
}

int state_writer_start(struct state_writer **ret, const char *path,
                       state_writer_save_fn save)
{
        struct state_writer *w = calloc(1, sizeof(*w));
        int rc;

        if (!w)
                return -ENOMEM;
        w->save = save ? save : state_save;
        w->path = strdup(path);
        w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (!w->path || w->fd < 0) {
                rc = w->path ? -errno : -ENOMEM;
                goto fail;
        }
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        pthread_cond_init(&w->done_cv, NULL);
        rc = -pthread_create(&w->thread, NULL, writer_main, w);
        if (rc < 0) {
                pthread_cond_destroy(&w->done_cv);
                pthread_cond_destroy(&w->cv);
                pthread_mutex_destroy(&w->mu);
                goto fail;
        }
        *ret = w;
        return 0;
fail:
        if (w->fd >= 0)
                close(w->fd);
        free(w->path);
        free(w);
        return rc;
}

int state_writer_fd(const struct state_writer *w)
{
        return w->fd;
}

uint64_t state_writer_post(struct state_writer *w, const struct state_data *st)
{
        uint64_t seq;

        pthread_mutex_lock(&w->mu);
        w->next = *st;
        seq = w->next_seq = ++w->posted;
        w->waiting = true;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        return seq;
}

int state_writer_wait(struct state_writer *w, uint64_t seq)
{
        int rc;

        pthread_mutex_lock(&w->mu);
        if (seq > w->posted)
                seq = w->posted;
        while (w->done_seq < seq)
                pthread_cond_wait(&w->done_cv, &w->mu);
        rc = w->done_rc;
        pthread_mutex_unlock(&w->mu);
        return rc;
}

bool state_writer_take(struct state_writer *w, uint64_t *ret_seq, int *ret_rc)
{
        uint64_t n;
        bool any;

        /* Drained first: a write that finishes after it rings again. */
        if (read(w->fd, &n, sizeof(n)) < 0)
                (void)0;        /* EAGAIN: nothing rang */
        pthread_mutex_lock(&w->mu);
        any = w->unseen;
        if (any) {
                *ret_seq = w->done_seq;
                *ret_rc = w->done_rc;
                w->unseen = false;
        }
        pthread_mutex_unlock(&w->mu);
        return any;
}

int state_writer_stop(struct state_writer *w)
{
        int rc;

        if (!w)
                return 0;
        pthread_mutex_lock(&w->mu);
        w->quit = true;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        rc = w->unseen ? w->done_rc : 0;
        pthread_cond_destroy(&w->done_cv);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        close(w->fd);
        free(w->path);
        free(w);
        return rc;
}
