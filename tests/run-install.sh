#!/bin/sh
# run-install.sh — make install / uninstall into a DESTDIR, the manual pages
# (the rule catalogue in passc.pass(5) is the binary's own, so it matches
# `passc rules`), and the completion scripts' syntax.
# Env: PASSC, PASSC_SRCDIR.
. "$(dirname "$0")/runner_lib.sh"

# every rule of the catalogue, once, in the roff
"$PASSC" rules | awk '{print $1}' >"$T/ids"
"$PASSC" rules --man >"$T/roff"
missing=0
while read -r id; do
    [ "$(grep -c "^\.B $id " "$T/roff")" -eq 1 ] || { missing=1; echo "  $id"; }
done <"$T/ids"
if [ "$missing" = 0 ] && [ "$(grep -c '^\.TP$' "$T/roff")" -eq "$(wc -l <"$T/ids")" ]; then ok
else bad "rules --man does not list each rule once"; fi
# no text line may start a roff request
if ! grep -v '^\.\(TP\|B \|RS\|RE\|nf\|fi\)' "$T/roff" | grep -q "^[.']"; then ok
else bad "rules --man: a text line reads as a roff request"; fi
# `passc explain` and the manual say the same (modulo roff escapes)
"$PASSC" explain P024 | tail -n +4 >"$T/explain"
awk '/^\.B P024 /{on=1} on && /^\.nf$/{p=1; next} p && /^\.fi$/{exit} p' "$T/roff" |
    sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/^\\&//' >"$T/fromman"
if cmp -s "$T/explain" "$T/fromman"; then ok
else bad "P024: manual and explain differ"; diff "$T/explain" "$T/fromman" | head -5; fi

# install and uninstall into a DESTDIR (the default PREFIX: nothing rebuilt).
# Only for the tree's own build/passc: the ASan run of this file must not
# start a second make over build/ while make check may still be building it.
if [ "$PASSC" != "$S/build/passc" ]; then
    echo "run-install: make install is tested only with build/passc"
    runner_done
    exit
fi
if make -s -C "$S" --no-print-directory install DESTDIR="$T/d" >"$T/log" 2>&1; then ok
else bad "make install"; tail -5 "$T/log"; fi
P=$(find "$T/d" -path '*/bin/passc' | sed 's|/bin/passc$||')
for f in bin/passc share/passc/quirks.yaml share/passc/git-pre-commit share/man/man1/passc.1 \
         share/man/man5/passc.pass.5 share/bash-completion/completions/passc \
         share/zsh/vendor-completions/_passc; do
    [ -f "$P/$f" ] || bad "not installed: $f"
done
[ -x "$P/share/passc/git-pre-commit" ] && [ -x "$P/bin/passc" ] && ok
if grep -q '^\.B P024 group' "$P/share/man/man5/passc.pass.5" &&
   ! grep -q '@RULES@\|@VERSION@' "$P/share/man/man5/passc.pass.5" &&
   ! grep -q '@DATADIR@\|@VERSION@' "$P/share/man/man1/passc.1"; then ok
else bad "manual pages not filled in"; fi
if command -v man >/dev/null 2>&1; then
    for m in man1/passc.1 man5/passc.pass.5; do
        w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$P/share/man/$m" 2>&1 >/dev/null)
        if [ -z "$w" ]; then ok; else bad "$m: $w"; fi
    done
fi
if make -s -C "$S" --no-print-directory uninstall DESTDIR="$T/d" >"$T/log" 2>&1 &&
   [ -z "$(find "$T/d" -type f)" ]; then ok
else bad "make uninstall left files"; find "$T/d" -type f; fi

# completion: bash syntax, and it completes commands, rule ids and options
if command -v bash >/dev/null 2>&1; then
    out=$(PATH=$(dirname "$PASSC"):$PATH bash -c '
        . "$1/contrib/completion/passc.bash"
        COMP_WORDS=(passc ex); COMP_CWORD=1; _passc; echo "${COMPREPLY[*]}"
        COMP_WORDS=(passc explain P02); COMP_CWORD=2; _passc; echo "${COMPREPLY[*]}"
        COMP_WORDS=(passc facts --fo); COMP_CWORD=2; _passc; echo "${COMPREPLY[*]}"
        COMP_WORDS=(passc facts --format ""); COMP_CWORD=3; _passc; echo "${COMPREPLY[*]}"
    ' sh "$S")
    if [ "$(printf '%s\n' "$out" | sed -n 1p)" = "explain" ] &&
       printf '%s\n' "$out" | sed -n 2p | grep -q 'P024' &&
       [ "$(printf '%s\n' "$out" | sed -n 3p)" = "--format" ] &&
       [ "$(printf '%s\n' "$out" | sed -n 4p)" = "yaml text" ]; then ok
    else bad "bash completion"; printf '%s\n' "$out"; fi
fi
if command -v zsh >/dev/null 2>&1; then
    if zsh -n "$S/contrib/completion/_passc"; then ok; else bad "zsh completion syntax"; fi
fi

runner_done
