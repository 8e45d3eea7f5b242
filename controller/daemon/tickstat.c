/* tickstat.c: see tickstat.h. */
#include <math.h>
#include <string.h>

#include "daemon/tickstat.h"

#define FIRST_EDGE_MS 0.01      /* bin 0 holds everything below this */
#define BINS_PER_OCTAVE 4

/* Bin i >= 1 holds [edge(i-1), edge(i)). */
static double upper_edge(int i)
{
        return FIRST_EDGE_MS * exp2((double)i / BINS_PER_OCTAVE);
}

static int bin_of(double ms)
{
        if (ms < FIRST_EDGE_MS)
                return 0;
        double b = floor(log2(ms / FIRST_EDGE_MS) * BINS_PER_OCTAVE) + 1;
        return b >= TICKSTAT_BINS - 1 ? TICKSTAT_BINS - 1 : (int)b;
}

void tickstat_reset(struct tickstat *s)
{
        memset(s, 0, sizeof(*s));
}

void tickstat_add(struct tickstat *s, double late_ms)
{
        if (!(late_ms > 0))
                late_ms = 0;
        s->count++;
        if (late_ms > s->max_ms)
                s->max_ms = late_ms;
        s->bins[bin_of(late_ms)]++;
}

double tickstat_quantile(const struct tickstat *s, double q)
{
        if (!s->count)
                return 0;
        if (!(q > 0))
                q = 0;
        if (q > 1)
                q = 1;
        uint64_t rank = (uint64_t)ceil(q * (double)s->count);
        uint64_t seen = 0;

        if (rank < 1)
                rank = 1;
        for (int i = 0; i < TICKSTAT_BINS - 1; i++) {
                seen += s->bins[i];
                if (seen >= rank)
                        return fmin(upper_edge(i), s->max_ms);
        }
        return s->max_ms;
}
