# passc — see README.md.  `make` builds ./passc; `make demo`, `make check`,
# `make bench`, `make fuzz`, `make install` / `make uninstall` (PREFIX,
# DESTDIR), `make man`, `make deb`, `make clean`.
# Plain `make` only compiles: it never installs packages (`make deps`, and
# `make check` / `make demo`, do).  CPPFLAGS, CFLAGS and LDFLAGS are honoured;
# WERROR=1 adds -Werror (check and CI always set it); V=1 prints commands.
CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
PKGS     := libpci yaml-0.1 json-c libkmod
B        := build
BA       := build-asan

# pkg-config may be missing before ensure-deps ran: expand lazily.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

# A packager's newer compiler may warn where ours does not: -Werror is our
# own gate (check, CI), not a condition for every build of a release.
WERROR   ?= 0
WERR      = $(if $(filter 1,$(WERROR)),-Werror)
WARN      = -Wall -Wextra $(WERR) -Wshadow -Wstrict-prototypes -Wno-unused-function
# DWARF 4: valgrind 3.19 (Debian 12) cannot read clang 14's default DWARF 5.
CFLAGS   ?= -O2 -g -gdwarf-4
# -MMD -MP: each object records the headers it read (its .d file), so
# touching one header rebuilds only its users.
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) \
             -Iinclude -I$(B) $(PKG_CFLAGS) -MMD -MP
ASAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Quiet by default, kernel style ("  CC      build/x.o"); V=1 prints commands.
ifeq ($(V),1)
Q   :=
msg  =
else
Q   := @
msg  = @printf '  %-7s %s\n' '$(1)' '$(2)';
endif

LEX_SRC  := $(wildcard grammar/*.l)
YACC_SRC := $(wildcard grammar/*.y)
# Generated sources.  GEN_C are compiled and linked like compiler/*.c (add
# one with `GEN_C += $(B)/NAME.c` and a rule that writes it); GEN_H are made
# before any object on a clean tree, as the .d files do not exist yet.
# Recursive (=) so that such later additions reach every list below.
GRAMMAR_C = $(patsubst grammar/%.l,$(B)/%.c,$(LEX_SRC)) $(patsubst grammar/%.y,$(B)/%.c,$(YACC_SRC))
GEN_C     = $(GRAMMAR_C)
GEN_H     = $(GRAMMAR_C:.c=.h) $(B)/config.h
SRCS     := $(filter-out compiler/main.c,$(wildcard compiler/*.c))
# The generated scripts' sources, embedded as C arrays (script.h).
SCRIPTS  := $(wildcard compiler/scripts/*)
GEN_C    += $(B)/scripts.c
OBJS      = $(patsubst compiler/%.c,$(B)/%.o,$(SRCS)) $(GEN_C:.c=.o)
AOBJS     = $(patsubst $(B)/%.o,$(BA)/%.o,$(OBJS))
TSRCS    := $(wildcard tests/check_*.c)
TOBJS     = $(patsubst tests/%.c,$(B)/t_%.o,$(TSRCS) tests/test_main.c)
ATOBJS    = $(patsubst $(B)/%.o,$(BA)/%.o,$(TOBJS))

.PHONY: FORCE all deps deps-check deps-demo demo check check-unit check-asan \
        check-cli check-clang check-fuzz bench fuzz fuzz-build fuzz-cli install uninstall man deb clean
.DELETE_ON_ERROR:
# Keep the generated scanner and parser: as intermediates make would delete
# them after each build and then rebuild every object that includes them.
.SECONDARY: $(GEN_C) $(GEN_H)

all: passc

deps:
	@contrib/ensure-deps build
deps-check:
	@contrib/ensure-deps check
deps-demo:
	@contrib/ensure-deps demo

passc: $(B)/passc
	@ln -sf $(B)/passc passc

$(B) $(BA):
	@mkdir -p $@

# Objects depend on the flags they were built with (git's GIT-CFLAGS): a new
# CC, CFLAGS, LDFLAGS or WERROR rebuilds instead of mixing old and new.  The
# file is rewritten only when the flags change.  Its recipe also names the
# missing libraries, since plain `make` no longer installs them.
FLAGS_LINE = $(CC) $(ALL_CFLAGS) $(LDFLAGS) $(PKG_LIBS)
define flags_file
	@pkg-config --exists $(PKGS) 2>/dev/null || { echo "passc: libpci, libyaml, json-c or libkmod (or pkg-config) is missing: run 'make deps' (contrib/ensure-deps)" >&2; exit 1; }
	@echo '$(FLAGS_LINE) $(1)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
endef
$(B)/.flags: FORCE | $(B)
	$(call flags_file)
$(BA)/.flags: FORCE | $(BA)
	$(call flags_file,$(ASAN))

# Generated front end: the scanner needs the parser's token header.
$(B)/%.c $(B)/%.h: grammar/%.y | $(B)
	$(call msg,BISON,$<)bison -Wall $(WERR) -o $(B)/$*.c --header=$(B)/$*.h $<
$(B)/%.c $(B)/%.h: grammar/%.l $(patsubst grammar/%.y,$(B)/%.h,$(YACC_SRC)) | $(B)
	$(call msg,FLEX,$<)flex -o $(B)/$*.c --header-file=$(B)/$*.h $<

$(B)/scripts.c: contrib/embed-scripts $(SCRIPTS) | $(B)
	$(call msg,EMBED,$@)sh contrib/embed-scripts $(SCRIPTS) >$@

# Generated code is not ours to make -Wextra clean (flex's unused params).
$(B)/lexer.o $(B)/parser.o $(BA)/lexer.o $(BA)/parser.o: WARN += -Wno-unused-parameter -Wno-shadow -Wno-sign-compare

# The install prefix is compiled in (where quirks.yaml lives); config.h is
# rewritten only when PREFIX changes, so `make install PREFIX=/usr` after a
# plain `make` rebuilds what depends on it instead of baking in the old one.
$(B)/config.h: FORCE | $(B)
	@echo '#define PASSC_DATADIR "$(PREFIX)/share/passc"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

# Headers are order-only here: which object reads which header is in its .d
# file; generated ones must only exist before the first compile.
$(B)/%.o: compiler/%.c $(B)/.flags | $(GEN_H)
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/%.o: $(B)/%.c $(B)/.flags | $(GEN_H)
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BA)/%.o: compiler/%.c $(BA)/.flags | $(GEN_H)
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) $(ASAN) -c -o $@ $<
$(BA)/%.o: $(B)/%.c $(BA)/.flags | $(GEN_H)
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) $(ASAN) -c -o $@ $<

$(B)/passc: $(OBJS) $(B)/main.o
	$(call msg,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BA)/passc: $(AOBJS) $(BA)/main.o
	$(call msg,LD,$@)$(CC) $(CFLAGS) $(ASAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# One Check binary; every tests/check_NAME.c contributes suite_NAME().
# Rewritten only when the list changes, so editing a suite rebuilds one object.
$(B)/suites.h: $(TSRCS) | $(B)
	@for f in $(TSRCS); do n=$${f#tests/check_}; echo "SUITE($${n%.c})"; done >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(B)/t_%.o: tests/%.c $(B)/.flags | $(GEN_H) $(B)/suites.h
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -Itests -c -o $@ $<
$(BA)/t_%.o: tests/%.c $(BA)/.flags | $(GEN_H) $(B)/suites.h
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) $(ASAN) -Itests -c -o $@ $<
$(B)/check_passc: $(TOBJS) $(OBJS)
	$(call msg,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)
$(BA)/check_passc: $(ATOBJS) $(AOBJS)
	$(call msg,LD,$@)$(CC) $(CFLAGS) $(ASAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

-include $(wildcard $(B)/*.d $(BA)/*.d)

# Tests run from the source root; fixtures are generated under build/.
TESTENV = PASSC_SRCDIR=$(CURDIR) PASSC_FIXTURES=$(CURDIR)/$(B)/fixtures \
	  PASSC_NOEXCHANGE=$(CURDIR)/$(B)/noexchange.so
# a file system without RENAME_EXCHANGE, for run-cli.sh
$(B)/noexchange.so: tests/noexchange.c | $(B)
	$(call msg,CC,$@)$(CC) $(WARN) $(CPPFLAGS) -O2 -shared -fPIC $(LDFLAGS) -o $@ $<
fixtures: $(B)/fixtures.stamp
$(B)/fixtures.stamp: $(wildcard tests/mkhost tests/hosts/*) | $(B)
	@if [ -x tests/mkhost ]; then tests/mkhost --all $(B)/fixtures; fi
	@touch $@

# make check: ensure-deps once, then every part in parallel (-k: one failing
# part does not hide the others).  A part is a target check-PART; it writes
# its output to build/check/PART.log, shown only when it fails (so parallel
# parts never interleave) and leaves PART.ok when it passes.  The summary
# counts the tests the logs report and ends on "N passed, M failed".
# CHECK_JOBS is used unless make already runs parallel (`make -j4 check`).
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
RUN_SH     := $(patsubst tests/%.sh,%,$(wildcard tests/run-*.sh))
# clang with libFuzzer (libclang-rt-dev): harnesses are built and replayed
# over their seed corpora in check.  Asked lazily: ensure-deps runs first.
FUZZ_CC    ?= clang
HAVE_LIBFUZZER = $(shell echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' | \
	$(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null && echo 1)
# The slowest parts first, so that the last to finish does not start late.
CHECK_SLOW  = $(filter asan-run-scripts run-scripts,$(RUN_SH:%=asan-%) $(RUN_SH)) \
	      $(filter asan-run-scripts-% run-scripts-%,$(RUN_SH:%=asan-%) $(RUN_SH)) asan-unit
CHECK_PARTS = $(CHECK_SLOW) $(filter-out $(CHECK_SLOW),asan-unit $(RUN_SH:%=asan-%) unit $(RUN_SH)) \
	      clang $(if $(HAVE_LIBFUZZER),fuzz)

check: deps-check
	@rm -rf $(B)/check; mkdir -p $(B)/check; start=$$(date +%s); \
	parts='$(CHECK_PARTS)'; \
	$(MAKE) $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(CHECK_JOBS)) -k --output-sync=target \
	  --no-print-directory WERROR=1 $(patsubst %,check-%,$(CHECK_PARTS)); rc=$$?; \
	sh tests/check-summary.sh $(B)/check $$(( $$(date +%s) - start )) $$parts || rc=1; exit $$rc

# $(call part,COMMAND): runs one part's command into its log.
part = @mkdir -p $(B)/check; t0=$$(date +%s); n=$(@:check-%=%); \
	if ( $(1) ) >$(B)/check/$$n.log 2>&1; then touch $(B)/check/$$n.ok; \
	  echo "  PASS    $$n ($$(( $$(date +%s) - t0 )) s)"; \
	else cat $(B)/check/$$n.log; echo "  FAIL    $$n (log: $(B)/check/$$n.log)"; exit 1; fi

ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
check-unit: $(B)/check_passc $(B)/passc $(B)/fixtures.stamp
	$(call part,$(TESTENV) PASSC=$(CURDIR)/$(B)/passc $(B)/check_passc)
check-asan-unit: $(BA)/check_passc $(BA)/passc $(B)/fixtures.stamp
	$(call part,$(ASAN_ENV) $(TESTENV) PASSC=$(CURDIR)/$(BA)/passc $(BA)/check_passc)
$(patsubst %,check-%,$(RUN_SH)): check-%: tests/%.sh $(B)/passc $(B)/fixtures.stamp $(B)/noexchange.so
	$(call part,$(TESTENV) PASSC=$(CURDIR)/$(B)/passc sh $<)
# run-scripts*.sh run the Check binary next to PASSC (scripts_lib.sh dump)
$(patsubst %,check-asan-%,$(RUN_SH)): check-asan-%: tests/%.sh $(BA)/passc $(BA)/check_passc $(B)/fixtures.stamp $(B)/noexchange.so
	$(call part,ASAN_OPTIONS=detect_leaks=1 $(TESTENV) PASSC=$(CURDIR)/$(BA)/passc sh $<)
# The script parts dump the emit suite's models with the check_passc beside
# $PASSC (tests/scripts_lib.sh): without this they may start before it is linked.
$(filter check-run-scripts%,$(RUN_SH:%=check-%)): $(B)/check_passc
$(filter check-asan-run-scripts%,$(RUN_SH:%=check-asan-%)): $(BA)/check_passc
# The groups of parts, for running one kind by hand.
check-cli: $(patsubst %,check-%,$(RUN_SH))
check-asan: check-asan-unit $(patsubst %,check-asan-%,$(RUN_SH))

# The standard is -Werror clean with gcc and clang: build everything with
# clang too (its own build dir) and run the unit suite from that build.
check-clang: $(B)/fixtures.stamp
	+$(call part,$(MAKE) --no-print-directory CC=clang B=build-clang BA=build-clang-asan \
	  build-clang/passc build-clang/check_passc && \
	  $(TESTENV) PASSC=$(CURDIR)/build-clang/passc build-clang/check_passc)

demo: deps-demo passc
	@sh contrib/demo.sh $(B)/passc

bench: deps-check passc $(B)/fixtures.stamp
	@sh tests/bench.sh $(CURDIR)/$(B)/passc

# Coverage-guided fuzzing (libFuzzer, clang): tests/fuzz/fuzz_NAME.c is one
# harness, tests/fuzz/corpus/NAME/ its seeds.  The harnesses and the code
# under test are built with clang in build-fuzz/ (a build dir of its own, as
# for check-clang).  `make fuzz FUZZ_SECONDS=60` runs each harness that long,
# keeping what it finds in build-fuzz/corpus/NAME/ (crashes: build-fuzz/);
# check only replays the seeds once (-runs=0) so the harnesses do not rot.
# A campaign finds bugs, it proves nothing: it stays out of check.
FZ           := build-fuzz
FUZZERS      := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_MAKE     = $(MAKE) --no-print-directory CC=$(FUZZ_CC) B=$(FZ) BA=$(FZ)/unused \
		CFLAGS='-O1 -g -gdwarf-4 -fsanitize=fuzzer-no-link $(FUZZ_SAN)'
FUZZ_ENV     := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# (inside the sub-make: B is build-fuzz, CFLAGS carry the sanitizers)
$(B)/f_%.o: tests/fuzz/%.c $(B)/.flags | $(GEN_H)
	$(call msg,CC,$@)$(CC) $(ALL_CFLAGS) -DPASSC_SRCDIR='"$(CURDIR)"' -c -o $@ $<
.PRECIOUS: $(B)/f_%.o
$(B)/fuzz_%: $(B)/f_fuzz_%.o $(OBJS)
	$(call msg,LD,$@)$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

fuzz-build:
	+@$(FUZZ_MAKE) $(FUZZERS:%=$(FZ)/fuzz_%)

check-fuzz:
	+$(call part,$(FUZZ_MAKE) $(FUZZERS:%=$(FZ)/fuzz_%) && \
	  for f in $(FUZZERS); do echo "== $$f"; \
	    $(FUZZ_ENV) $(FZ)/fuzz_$$f -runs=0 tests/fuzz/corpus/$$f || exit 1; done)

fuzz: deps-check fuzz-build
	@fail=; for f in $(FUZZERS); do mkdir -p $(FZ)/corpus/$$f; \
	  echo "== fuzz_$$f: $(FUZZ_SECONDS) s (log: $(FZ)/fuzz_$$f.log)"; \
	  if $(FUZZ_ENV) $(FZ)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=$(FZ)/crash-$$f- $(FZ)/corpus/$$f tests/fuzz/corpus/$$f \
	      >$(FZ)/fuzz_$$f.log 2>&1; \
	  then grep -E '^stat::(number_of_executed_units|peak_rss_mb)|DONE' $(FZ)/fuzz_$$f.log; \
	  else tail -n 60 $(FZ)/fuzz_$$f.log; fail="$$fail $$f"; fi; done; \
	if [ -n "$$fail" ]; then echo "fuzz: findings in:$$fail"; exit 1; fi

# The older black-box campaign: mutated files through the ASan+UBSan passc
# command line (exit codes, output directories: what the harnesses skip).
RUNS ?= 2000
SEED ?= 1
fuzz-cli: deps-check $(BA)/passc
	@tests/fuzz/cli.py $(CURDIR)/$(BA)/passc $(RUNS) $(SEED)

# Manual pages: contrib/man, with the version, the data directory and (in
# passc.pass(5)) the rule catalogue filled in from the binary itself.
VERSION  := $(shell sed -n 's/.*puts("passc \(.*\)");.*/\1/p' compiler/main.c)
MANS      = $(B)/man/passc.1 $(B)/man/passc.pass.5
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
man: $(MANS)
$(B)/man/passc.1: contrib/man/passc.1 compiler/main.c
	@mkdir -p $(@D)
	$(call msg,GEN,$@)sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@DATADIR@|$(PREFIX)/share/passc|g' $< >$@.$$$$ && mv $@.$$$$ $@
$(B)/man/passc.pass.5: contrib/man/passc.pass.5.in $(B)/passc
	@mkdir -p $(@D)
	$(call msg,GEN,$@){ sed -e '/^@RULES@$$/,$$d' -e 's|@VERSION@|$(VERSION)|g' $<; \
	  $(B)/passc rules --man; sed -e '1,/^@RULES@$$/d' $<; } >$@.$$$$ && mv $@.$$$$ $@

install: all $(MANS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/passc \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(B)/passc $(DESTDIR)$(PREFIX)/bin/passc
	install -m 644 data/*.yaml $(DESTDIR)$(PREFIX)/share/passc/
	install -m 755 contrib/git-pre-commit $(DESTDIR)$(PREFIX)/share/passc/git-pre-commit
	install -m 644 $(B)/man/passc.1 $(DESTDIR)$(MANDIR)/man1/passc.1
	install -m 644 $(B)/man/passc.pass.5 $(DESTDIR)$(MANDIR)/man5/passc.pass.5
	install -m 644 contrib/completion/passc.bash $(DESTDIR)$(BASHCOMPDIR)/passc
	install -m 644 contrib/completion/_passc $(DESTDIR)$(ZSHCOMPDIR)/_passc

# make deb: build/passc_VERSION_ARCH.deb with dpkg-buildpackage (debian/),
# from a copy of the tree in build/deb (so the tools write nothing beside
# the checkout), then lintian; its remaining tags are explained in
# debian/passc.lintian-overrides.  debian/changelog's version is VERSION.
deb:
	@contrib/ensure-deps deb
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
	  { echo "deb: debian/changelog says $$v, passc --version $(VERSION)"; exit 1; }
	rm -rf $(B)/deb && mkdir -p $(B)/deb/passc-$(VERSION)
	tar -cf - --exclude=./build --exclude='./build-*' --exclude=./.git --exclude=./passc . | \
	  tar -C $(B)/deb/passc-$(VERSION) -xf -
	cd $(B)/deb/passc-$(VERSION) && dpkg-buildpackage -b -us -uc
	lintian --fail-on error,warning $(B)/deb/passc_$(VERSION)_*.deb
	cp $(B)/deb/passc_$(VERSION)_*.deb $(B)/
	@ls $(B)/passc_$(VERSION)_*.deb

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/passc $(DESTDIR)$(MANDIR)/man1/passc.1 \
	  $(DESTDIR)$(MANDIR)/man5/passc.pass.5 $(DESTDIR)$(BASHCOMPDIR)/passc $(DESTDIR)$(ZSHCOMPDIR)/_passc
	rm -rf $(DESTDIR)$(PREFIX)/share/passc

clean:
	rm -rf $(B) $(BA) build-clang build-clang-asan $(FZ) passc
