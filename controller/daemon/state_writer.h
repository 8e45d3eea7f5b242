/* state_writer.h: the state file written off the loop thread.
 *
 * The loop posts a copy of what must survive a restart; one thread writes
 * it with state_save (temp file, fsync, rename, fsync of the directory),
 * so an fsync that takes a second on an SD card never holds the control
 * tick. Latest wins: a snapshot posted while another is being written
 * replaces any that is still waiting, never queues behind it, so a burst
 * of changes costs at most two writes. Every finished write makes the
 * writer's fd readable; the loop then takes the result (the newest
 * finished snapshot's sequence number and 0 or -errno) and logs. The loop
 * and the thread share memory only under the writer's mutex.
 *
 * state_writer_stop() writes the snapshot still waiting before the thread
 * ends: a clean stop leaves the last state posted on disk. Nothing here
 * logs; the caller logs once. */
#ifndef HEATPAD_STATE_WRITER_H
#define HEATPAD_STATE_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/state.h"

struct state_writer;

/* How a snapshot is written; state_save in the daemon, a stand-in in
 * tests. Called on the writer's thread. */
typedef int (*state_writer_save_fn)(const char *path,
                                    const struct state_data *st);

/* Starts the thread that writes path with save (NULL: state_save). 0 with
 * *ret set, or -errno (*ret untouched). */
int state_writer_start(struct state_writer **ret, const char *path,
                       state_writer_save_fn save);

/* Readable (EPOLLIN) after each finished write; state_writer_take reads
 * it. */
int state_writer_fd(const struct state_writer *w);

/* Copies *st as the snapshot to write next, replacing one still waiting.
 * Returns its sequence number (1, 2, ...; a replaced snapshot's number is
 * done when a later one is). Never blocks on the file. */
uint64_t state_writer_post(struct state_writer *w, const struct state_data *st);

/* Blocks until snapshot seq (at most the newest posted) is written or
 * replaced by one that is, and returns that write's result: for an answer
 * that must not leave before the file is on disk and cannot be held back
 * otherwise. Its result is still reported by state_writer_take. */
int state_writer_wait(struct state_writer *w, uint64_t seq);

/* After the fd was readable: false when no write finished since the last
 * call; else true with the newest finished write's sequence number in
 * *ret_seq (every snapshot up to it is written or replaced) and its
 * result, 0 or -errno, in *ret_rc. */
bool state_writer_take(struct state_writer *w, uint64_t *ret_seq, int *ret_rc);

/* Finishes the write under way, writes the snapshot still waiting, ends
 * the thread and frees w (NULL is accepted). Returns the result of the
 * newest write that state_writer_take has not reported, 0 when there is
 * none. The fd is closed: take it off the loop first. */
int state_writer_stop(struct state_writer *w);

#endif
