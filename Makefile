# passc — see README.md.  `make` builds ./passc; `make demo`, `make check`,
# `make bench`, `make fuzz`, `make install` (PREFIX, DESTDIR), `make clean`.
CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
PKGS     := libpci yaml-0.1 json-c
B        := build
BA       := build-asan

# pkg-config may be missing before ensure-deps ran: expand lazily.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-function
# DWARF 4: valgrind 3.19 (Debian 12) cannot read clang 14's default DWARF 5.
CFLAGS   ?= -O2 -g -gdwarf-4
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(CFLAGS) \
             -Iinclude -I$(B) $(PKG_CFLAGS)
ASAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LEX_SRC  := $(wildcard grammar/*.l)
YACC_SRC := $(wildcard grammar/*.y)
GEN_C    := $(patsubst grammar/%.l,$(B)/%.c,$(LEX_SRC)) $(patsubst grammar/%.y,$(B)/%.c,$(YACC_SRC))
GEN_H    := $(GEN_C:.c=.h)
SRCS     := $(filter-out compiler/main.c,$(wildcard compiler/*.c))
# The generated scripts' sources, embedded as C arrays (script.h).
SCRIPTS  := $(wildcard compiler/scripts/*)
OBJS     := $(patsubst compiler/%.c,$(B)/%.o,$(SRCS)) $(GEN_C:.c=.o) $(B)/scripts.o
AOBJS    := $(patsubst $(B)/%.o,$(BA)/%.o,$(OBJS))
TSRCS    := $(wildcard tests/check_*.c)
TOBJS    := $(patsubst tests/%.c,$(B)/t_%.o,$(TSRCS) tests/test_main.c)
ATOBJS   := $(patsubst $(B)/%.o,$(BA)/%.o,$(TOBJS))
HDRS     := $(wildcard include/*.h tests/*.h)

.PHONY: FORCE all deps deps-check deps-demo demo check check-unit check-asan \
        check-cli check-clang bench fuzz install clean
.DELETE_ON_ERROR:
# Keep the generated scanner and parser: as intermediates make would delete
# them after each build and then rebuild every object that includes them.
.SECONDARY: $(GEN_C) $(GEN_H) $(B)/scripts.c

all: deps passc

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

# Generated front end: the scanner needs the parser's token header.
$(B)/%.c $(B)/%.h: grammar/%.y | $(B)
	bison -Wall -Werror -o $(B)/$*.c --header=$(B)/$*.h $<
$(B)/%.c $(B)/%.h: grammar/%.l $(patsubst grammar/%.y,$(B)/%.h,$(YACC_SRC)) | $(B)
	flex -o $(B)/$*.c --header-file=$(B)/$*.h $<

$(B)/scripts.c: contrib/embed-scripts $(SCRIPTS) | $(B)
	sh contrib/embed-scripts $(SCRIPTS) >$@

# Generated code is not ours to make -Wextra clean (flex's unused params).
$(B)/lexer.o $(B)/parser.o $(BA)/lexer.o $(BA)/parser.o: WARN += -Wno-unused-parameter -Wno-shadow -Wno-sign-compare

# The install prefix is compiled in (where quirks.yaml lives); config.h is
# rewritten only when PREFIX changes, so `make install PREFIX=/usr` after a
# plain `make` rebuilds what depends on it instead of baking in the old one.
$(B)/config.h: FORCE | $(B)
	@echo '#define PASSC_DATADIR "$(PREFIX)/share/passc"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:
$(B)/driver.o $(BA)/driver.o: $(B)/config.h

$(B)/%.o: compiler/%.c $(HDRS) $(GEN_H) | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/%.o: $(B)/%.c $(HDRS) $(GEN_H) | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BA)/%.o: compiler/%.c $(HDRS) $(GEN_H) | $(BA)
	$(CC) $(ALL_CFLAGS) $(ASAN) -c -o $@ $<
$(BA)/%.o: $(B)/%.c $(HDRS) $(GEN_H) | $(BA)
	$(CC) $(ALL_CFLAGS) $(ASAN) -c -o $@ $<

$(B)/passc: $(OBJS) $(B)/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
$(BA)/passc: $(AOBJS) $(BA)/main.o
	$(CC) $(CFLAGS) $(ASAN) -o $@ $^ $(PKG_LIBS)

# One Check binary; every tests/check_NAME.c contributes suite_NAME().
$(B)/suites.h: $(TSRCS) | $(B)
	@for f in $(TSRCS); do n=$${f#tests/check_}; echo "SUITE($${n%.c})"; done > $@
$(B)/t_%.o: tests/%.c $(HDRS) $(GEN_H) $(B)/suites.h | $(B)
	$(CC) $(ALL_CFLAGS) -Itests -c -o $@ $<
$(BA)/t_%.o: tests/%.c $(HDRS) $(GEN_H) $(B)/suites.h | $(BA)
	$(CC) $(ALL_CFLAGS) $(ASAN) -Itests -c -o $@ $<
$(B)/check_passc: $(TOBJS) $(OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)
$(BA)/check_passc: $(ATOBJS) $(AOBJS)
	$(CC) $(CFLAGS) $(ASAN) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# Tests run from the source root; fixtures are generated under build/.
TESTENV = PASSC_SRCDIR=$(CURDIR) PASSC_FIXTURES=$(CURDIR)/$(B)/fixtures \
	  PASSC_NOEXCHANGE=$(CURDIR)/$(B)/noexchange.so
# a file system without RENAME_EXCHANGE, for run-cli.sh
$(B)/noexchange.so: tests/noexchange.c | $(B)
	$(CC) $(WARN) -O2 -shared -fPIC -o $@ $<
fixtures: $(B)/fixtures.stamp
$(B)/fixtures.stamp: $(wildcard tests/mkhost tests/hosts/*) | $(B)
	@if [ -x tests/mkhost ]; then tests/mkhost --all $(B)/fixtures; fi
	@touch $@

# -k: one failing part does not hide the others' results.
check: deps-check
	@$(MAKE) -k --no-print-directory check-unit check-cli check-asan check-clang

check-unit: $(B)/check_passc $(B)/passc $(B)/fixtures.stamp
	$(TESTENV) PASSC=$(CURDIR)/$(B)/passc $(B)/check_passc

RUN_CLI = fail=; for t in tests/run-*.sh; do [ -f "$$t" ] || continue; \
	  echo "== $$t"; $(TESTENV) PASSC=$$passc sh "$$t" || fail="$$fail $$t"; done; \
	  if [ -n "$$fail" ]; then echo "FAILED:$$fail"; exit 1; fi

check-cli: $(B)/check_passc $(B)/passc $(B)/fixtures.stamp $(B)/noexchange.so
	@passc=$(CURDIR)/$(B)/passc; $(RUN_CLI)

check-asan: $(BA)/check_passc $(BA)/passc $(B)/fixtures.stamp $(B)/noexchange.so
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(TESTENV) PASSC=$(CURDIR)/$(BA)/passc $(BA)/check_passc
	@passc=$(CURDIR)/$(BA)/passc; export ASAN_OPTIONS=detect_leaks=1; $(RUN_CLI)

# The standard is -Werror clean with gcc and clang: build everything with
# clang too (its own build dir) and run the unit suite from that build.
check-clang: $(B)/fixtures.stamp
	@$(MAKE) --no-print-directory CC=clang B=build-clang BA=build-clang-asan \
	  build-clang/passc build-clang/check_passc
	$(TESTENV) PASSC=$(CURDIR)/build-clang/passc build-clang/check_passc

demo: deps-demo passc
	@sh contrib/demo.sh $(B)/passc

bench: deps-check passc $(B)/fixtures.stamp
	@sh tests/bench.sh $(CURDIR)/$(B)/passc

# Mutation fuzzing of the ASan+UBSan build; not part of check (a campaign
# finds bugs, it proves nothing).  RUNS and SEED pick the campaign.
RUNS ?= 2000
SEED ?= 1
fuzz: deps-check $(BA)/passc
	@tests/fuzz $(CURDIR)/$(BA)/passc $(RUNS) $(SEED)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/passc
	install -m 755 $(B)/passc $(DESTDIR)$(PREFIX)/bin/passc
	install -m 644 data/*.yaml $(DESTDIR)$(PREFIX)/share/passc/

clean:
	rm -rf $(B) $(BA) build-clang build-clang-asan passc
