/* Fuzzes state_from_json(): a state file is read at every start, part by
 * part. Whatever it makes of the input (every valid part, an unreadable
 * record marked) is saved as the daemon would save it, and that must load
 * again, entirely and the same. A part it refused must be named. */
#include "fuzz.h"
#include "daemon/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct state_data st, back;
        char err[1024];
        char *text = fuzz_strndup(data, size);

        err[0] = '\0';
        if (state_from_json(text, &st, err, sizeof(err)) != 0 && !err[0])
                abort();                /* refused without a reason */
        char *json = state_to_json(&st);
        if (!json)
                abort();
        if (state_from_json(json, &back, err, sizeof(err)) != 0)
                abort();                /* our own output refused */
        if (back.ntunings != st.ntunings || back.nfaults != st.nfaults ||
            back.schedule.n != st.schedule.n ||
            back.record.unreadable != st.record.unreadable ||
            back.record.acute != st.record.acute ||
            back.record.acute_at != st.record.acute_at ||
            back.record.urgent_signs != st.record.urgent_signs ||
            back.hold_left_s != st.hold_left_s)
                abort();
        for (int i = 0; i < st.nfaults; i++)
                if (back.faults[i].fault != st.faults[i].fault)
                        abort();
        free(json);
        free(text);
        return 0;
}
