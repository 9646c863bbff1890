#@ cmdline.awk: the kernel command line editor of apply.sh and rollback.sh
#@ (common.sh runs it as $cmdline_awk; emit_cmdline.c says why it exists),
#@ one program for both files; LC_ALL=C, so bytes stay bytes.
#@ Reads the file on stdin; -v mode= check | write | check-remove | remove,
#@ kind= cmdline | grub, ids= passc's list, nonl=1 when the file does not end
#@ in a newline (kept that way).
#@   check         prints add, same, replace OLD, or refuse WHY
#@   check-remove  prints same (none there), change (exactly passc's),
#@                 other OLD, or refuse WHY
#@   write/remove  print the new file.
#@ Parameters split on blanks outside double quotes, as the kernel's
#@ next_arg() does, so `foo="a vfio-pci.ids=x"` is foo's value, not ours.
#@ vfio_pci.ids= is the same parameter (the kernel takes - and _ alike).
#@ It goes into the scripts as one single-quoted word: no ' in here.
function ws(c) { return c == " " || c == "\t" || c == "\r" || c == "\v" || c == "\f" }
function refuse(why) {
    if (mode ~ /^check/) {
        print "refuse " why
        exit 0
    }
    print "passc: error: " why | "cat 1>&2"
    exit 1
}
{ L[NR] = $0 }
END {
    sq = sprintf("%c", 39)
    dq = sprintf("%c", 34)
    nl = NR
    t = 0
    if (kind == "cmdline") {
        for (i = 1; i <= nl; i++)
            if (L[i] !~ /^[ \t\r]*$/) {
                if (t) refuse("holds more than one line; the kernel command line is the one line of this file")
                t = i
            }
        if (!t) refuse("is empty (not even root=): fix that first")
        from = 1
        to = length(L[t])
    } else {
        for (i = 1; i <= nl; i++)
            if (L[i] ~ /^[ \t]*GRUB_CMDLINE_LINUX_DEFAULT=/) t = i
        if (t) {
            s = L[t]
            eq = index(s, "=")
            q = substr(s, eq + 1, 1)
            if (q != dq && q != sq) refuse("line " t ": the value of GRUB_CMDLINE_LINUX_DEFAULT is not in quotes")
            rest = substr(s, eq + 2)
            cl = index(rest, q)
            if (!cl) refuse("line " t ": the value of GRUB_CMDLINE_LINUX_DEFAULT does not end on its line")
            if (substr(rest, cl + 1) !~ /^[ \t\r]*(#.*)?$/) refuse("line " t ": more than one quoted value for GRUB_CMDLINE_LINUX_DEFAULT")
            if (q == dq && substr(rest, 1, cl - 1) ~ /[\\`]/) refuse("line " t ": GRUB_CMDLINE_LINUX_DEFAULT holds a backslash or backquote")
            from = eq + 2
            to = eq + cl
        }
    }
    re = "(^|[ \t" dq sq "=])" dq "?vfio[-_]pci[.]ids="
    for (i = 1; i <= nl; i++)
        if (i != t && L[i] !~ /^[ \t]*#/ && L[i] ~ re)
            refuse("line " i " sets vfio-pci.ids= too (outside GRUB_CMDLINE_LINUX_DEFAULT)")
    n = 0
    s = L[t]
    if (t) {
        st = 0
        inq = 0
        for (i = from; i <= to + 1; i++) {
            c = (i <= to) ? substr(s, i, 1) : " "
            if (!inq && ws(c)) {
                if (st) {
                    n++
                    PS[n] = st
                    PE[n] = i - 1
                    st = 0
                }
                continue
            }
            if (!st) st = i
            if (c == dq) inq = !inq
        }
    }
    k = 0
    for (j = 1; j <= n; j++)
        if (substr(s, PS[j], PE[j] - PS[j] + 1) ~ ("^" dq "?vfio[-_]pci[.]ids=")) {
            if (k) refuse("sets vfio-pci.ids= twice")
            k = j
        }
    old = ""
    if (k) {
        vs = PS[k] + index(substr(s, PS[k]), "=")
        old = substr(s, vs, PE[k] - vs + 1)
        if (old !~ /^[0-9A-Fa-f:,]*$/) refuse("sets vfio-pci.ids=" old ", which is not a plain list of ids")
    }
    if (mode == "check") {
        print !k ? "add" : old == ids ? "same" : "replace " old
        exit 0
    }
    if (mode == "check-remove") {
        print !k ? "same" : old == ids ? "change" : "other " old
        exit 0
    }
    if (mode == "write" && k) {
        L[t] = substr(s, 1, vs - 1) ids substr(s, PE[k] + 1)
    } else if (mode == "write" && t) {
        p = to
        while (p >= from && ws(substr(s, p, 1))) p--
        L[t] = substr(s, 1, p) (p >= from ? " " : "") "vfio-pci.ids=" ids substr(s, p + 1)
    } else if (mode == "write") {
        L[++nl] = "GRUB_CMDLINE_LINUX_DEFAULT=" dq "vfio-pci.ids=" ids dq
        nonl = 0
    } else if (mode == "remove" && k && old == ids) {
        a = PS[k]
        b = PE[k]
        if (a > from && ws(substr(s, a - 1, 1))) a--
        else if (b < to && ws(substr(s, b + 1, 1))) b++
        L[t] = substr(s, 1, a - 1) substr(s, b + 1)
    }
    for (i = 1; i <= nl; i++)
        printf "%s%s", L[i], (i < nl || !nonl) ? "\n" : ""
}
