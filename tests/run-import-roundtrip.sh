#!/bin/sh
# run-import-roundtrip.sh — the property of issue 14 over every config in
# tests/import: import (without facts), build, and
#  - every setting the build emits equals the original, key by key
#    (property-string booleans compared as 1/0, hostpci by run-import.sh);
#  - every key the spec left unmanaged is one import warned about or one
#    passc never manages: nothing is managed that the spec cannot say;
#  - the vfio-pci ids the host binds today (the last ids= kmod keeps) are
#    all still in the built vfio.conf, and so is every option import kept.
# Plus: CRLF specs, and -o over an input.
. "$(dirname "$0")/runner_lib.sh"
cd "$S" || exit 1
tmp=$T

# main-section settings of a VM config as "key value", values normalised:
# property-string booleans (hidden, enable-s3, …) as 1/0
settings() {
    sed -n '/^\[/q; /^[a-z][a-z_]*[0-9]*:/p' "$1" | tr -d '\r' |
    sed 's/^\([^:]*\):[[:space:]]*/\1 /; s/[[:space:]]*$//' |
    sed 's/=\(on\|yes\|true\)\(,\|$\)/=1\2/g; s/=\(off\|no\|false\)\(,\|$\)/=0\2/g'
}

# the ids vfio-pci receives from a modprobe.d file: continuation lines
# joined, the last ids= of `options vfio-pci` wins, bad ids skipped
vfio_ids() {
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" |
    awk '$1 == "options" && ($2 == "vfio-pci" || $2 == "vfio_pci") {
            for (i = 3; i <= NF; i++) if ($i ~ /^ids=/) ids = substr($i, 5) }
         END { n = split(ids, a, ","); for (i = 1; i <= n; i++)
                   if (a[i] ~ /^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/) print tolower(a[i]) }' | sort -u
}

# option=value pairs other than ids= on `options vfio-pci` lines
vfio_opts() {
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" |
    awk '$1 == "options" && $2 == "vfio-pci" {
            for (i = 3; i <= NF; i++) if ($i !~ /^ids=/ && $i ~ /^[a-z_]+=[A-Za-z0-9]+$/) print $i }' | sort -u
}

for conf in tests/import/*.conf; do
    case $conf in *.vfio.conf) continue ;; esac
    base=${conf%.conf}
    vmid=${base##*-}
    vfio=$base.vfio.conf
    rm -rf "$tmp/b"
    if [ -f "$vfio" ]; then set -- --vfio "$vfio"; else set --; fi
    if ! "$PASSC" import "$conf" "$@" >"$tmp/s.pass" 2>"$tmp/s.err"; then
        bad "$conf: import failed"; cat "$tmp/s.err"; continue; fi
    if ! "$PASSC" build "$tmp/s.pass" --no-facts -o "$tmp/b" >"$tmp/b.log" 2>&1; then
        bad "$conf: build of the import failed"; cat "$tmp/b.log"; continue; fi
    settings "$conf" >"$tmp/orig"
    settings "$tmp/b/$vmid.conf" | grep -v '^hostpci' >"$tmp/built"
    # each emitted setting equals the original (Proxmox keeps a key's last line)
    lost=0
    while read -r key value; do
        want=$(awk -v k="$key" '$1 == k { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }' "$tmp/orig")
        [ "$key" = memory ] && { want=${want#current=}; want=${want%%,*}; }   # 4096 or current=4096,…
        if [ "$value" != "$want" ]; then
            lost=1; bad "$conf: $key is '$value' after the round trip, was '$want'"; fi
    done <"$tmp/built"
    [ "$lost" = 0 ] && ok
    # a setting of cpu/vga/machine the build does not emit was warned about
    for key in cpu vga machine; do
        grep -q "^$key " "$tmp/orig" || continue
        if grep -q "^$key " "$tmp/built" || grep -q "^[^ ]*:[0-9]*:[0-9]*: warning: $key: " "$tmp/s.err"; then ok; else
            bad "$conf: $key neither kept nor warned about"; fi
    done
    # vfio-pci: the ids bound today are still bound, the options kept
    if [ -f "$vfio" ]; then
        vfio_ids "$vfio" >"$tmp/ids.want"; vfio_ids "$tmp/b/vfio.conf" >"$tmp/ids.got"
        if [ -z "$(comm -23 "$tmp/ids.want" "$tmp/ids.got")" ]; then ok; else
            bad "$conf: ids no longer bound: $(comm -23 "$tmp/ids.want" "$tmp/ids.got" | tr '\n' ' ')"; fi
        vfio_opts "$vfio" | grep -v '^foo=' >"$tmp/o.want"; vfio_opts "$tmp/b/vfio.conf" >"$tmp/o.got"
        if [ -z "$(comm -23 "$tmp/o.want" "$tmp/o.got")" ]; then ok; else
            bad "$conf: vfio-pci options dropped: $(comm -23 "$tmp/o.want" "$tmp/o.got" | tr '\n' ' ')"; fi
    fi
done

# -o over any input is refused, and the input is untouched
cp tests/import/seed-102.conf "$tmp/102.conf"
cp tests/import/seed-102.vfio.conf "$tmp/vfio.conf"
sum=$(cksum <"$tmp/102.conf")
"$PASSC" import "$tmp/102.conf" -o "$tmp/102.conf" >/dev/null 2>"$tmp/e"; rc=$?
if [ "$rc" = 2 ] && grep -q 'refusing to write the spec over it' "$tmp/e" &&
   [ "$(cksum <"$tmp/102.conf")" = "$sum" ]; then ok; else bad "import -o over the config: rc $rc"; cat "$tmp/e"; fi
vsum=$(cksum <"$tmp/vfio.conf")
"$PASSC" import "$tmp/102.conf" --vfio "$tmp/vfio.conf" -o "$tmp/vfio.conf" >/dev/null 2>"$tmp/e"; rc=$?
if [ "$rc" = 2 ] && [ "$(cksum <"$tmp/vfio.conf")" = "$vsum" ]; then ok; else bad "import -o over --vfio: rc $rc"; fi
(cd "$tmp" && "$PASSC" import 102.conf -o ./102.conf >/dev/null 2>"$tmp/e"); rc=$?
if [ "$rc" = 2 ]; then ok; else bad "import -o ./102.conf (same file, other spelling): rc $rc"; fi
"$PASSC" import "$tmp/102.conf" -o "$tmp/102.pass" >/dev/null 2>&1 && [ -s "$tmp/102.pass" ] && ok ||
    bad "import -o to a new file failed"

# CRLF specs: accepted everywhere, comments and ignores included
"$PASSC" import tests/import/seed-102.conf --vfio tests/import/seed-102.vfio.conf 2>/dev/null |
    sed 's/$/\r/' >"$tmp/crlf.pass"
printf '# passc: ignore P013 "no ids without facts"\r\nvm 999 {\r\n    pci 09:00.0 # trailing\r\n}\r\n' >>"$tmp/crlf.pass"
if "$PASSC" lint "$tmp/crlf.pass" --no-facts >"$tmp/e" 2>&1 && ! grep -q 'P001\|P014' "$tmp/e"; then ok; else
    bad "a CRLF spec does not lint clean"; cat "$tmp/e"; fi
if "$PASSC" fmt --check "$tmp/crlf.pass" >/dev/null 2>&1 || [ $? = 1 ]; then ok; else bad "fmt of a CRLF spec failed"; fi

runner_done
