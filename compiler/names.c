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

static char module_char(char c)
{
    return c == '-' ? '_' : c;
}

bool module_name_eq_n(const char *a, size_t n, const char *b)
{
    for (size_t i = 0; i < n; i++, b++)
        if (!*b || module_char(a[i]) != module_char(*b))
            return false;
    return !*b;
}

bool module_name_eq(const char *a, const char *b)
{
    return module_name_eq_n(a, strlen(a), b);
}
