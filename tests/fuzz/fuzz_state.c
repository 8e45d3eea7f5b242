/* Fuzzes state_from_json(): a state file is read at every start, and a
 * corrupt one must be refused with a reason. What is accepted must
 * serialise and read back the same. */
#include "fuzz.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct state_data st, back;
        char err[256];
        char *text = fuzz_strndup(data, size);

        err[0] = '\0';
        if (state_from_json(text, &st, err, sizeof(err)) == 0) {
                char *json = state_to_json(&st);
                if (!json)
                        abort();
                if (state_from_json(json, &back, err, sizeof(err)) != 0)
                        abort();        /* our own output refused */
                if (back.ntunings != st.ntunings || back.nfaults != st.nfaults ||
                    back.schedule.n != st.schedule.n)
                        abort();
                free(json);
        } else if (!err[0]) {
                abort();
        }
        free(text);
        return 0;
}
