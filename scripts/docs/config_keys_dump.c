/* config_keys_dump: prints the key table (config_keys.c) one row a line,
 * tab-separated, for scripts/gen-config-doc: path, type, default, min,
 * max, unit, help. */
#include <stdio.h>

#include "config/config_keys.h"

static void print_default(const struct config_key *k)
{
        if (k->def_doc)
                fputs(k->def_doc, stdout);
        else if (k->type == CK_BOOL)
                fputs(k->def ? "true" : "false", stdout);
        else if (k->type == CK_STRING)
                printf("\"%s\"", k->def_str);
        else if (k->type == CK_NUMBER || k->type == CK_INTEGER)
                printf("%.10g", k->def);
}

int main(void)
{
        for (size_t i = 0; i < config_nkeys; i++) {
                const struct config_key *k = &config_keys[i];
                bool ranged = k->type == CK_NUMBER || k->type == CK_INTEGER ||
                              k->type == CK_LIST;

                printf("%s\t%s\t", k->path, config_key_type_name(k->type));
                print_default(k);
                if (ranged)
                        printf("\t%.10g\t%.10g", k->min, k->max);
                else
                        fputs("\t\t", stdout);
                printf("\t%s\t%s\n", k->unit ? k->unit : "", k->help);
        }
        return 0;
}
