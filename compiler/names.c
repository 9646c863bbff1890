#include "names.h"

#include <string.h>

bool plain_name(const char *s, const char *extra)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= '0' && *p <= '9') && !strchr(extra, *p))
            return false;
    return true;
}
