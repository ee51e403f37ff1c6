# SPDX-License-Identifier: GPL-2.0-only
# tests/fuzz/: libFuzzer target over region images.
#   make fuzz        fuzz for FUZZ_SECONDS, new inputs under build/fuzz/work
#   make check-fuzz  run the committed corpus once (regression)
#   make fuzz-corpus regenerate and minimize tests/fuzz/corpus

FUZZ_DIR	:= $(TOP)/tests/fuzz
FUZZ_SECONDS	?= 300
FUZZ_BIN	:= $(B)/fuzz/fuzz_label
FUZZ_GEN	:= $(B)/fuzz/gen_corpus
FUZZ_LIB_SRCS	:= $(addprefix $(TOP)/lib/,badpages.c codec.c load.c media.c query.c \
			sort.c space.c strings.c update.c validate.c)
FUZZ_HELPERS	:= $(TOP)/tests/unit/memmedia.c $(TOP)/tests/unit/helpers.c
FUZZ_CFLAGS	:= -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror \
		   -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=all -I$(TOP)/lib -I$(TOP)/include/uapi \
		   -I$(TOP)/tests/unit
FUZZ_MAX_LEN	:= 283000

$(FUZZ_BIN): $(FUZZ_DIR)/fuzz_label.c $(FUZZ_LIB_SRCS) $(FUZZ_HELPERS) \
		$(wildcard $(TOP)/lib/*.h $(TOP)/tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_DIR)/fuzz_label.c $(FUZZ_LIB_SRCS) \
		$(FUZZ_HELPERS) -lz -o $@

$(FUZZ_GEN): $(FUZZ_DIR)/gen_corpus.c $(FUZZ_HELPERS) $(LIBPKERN)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -I$(TOP)/tests/unit $< $(FUZZ_HELPERS) \
		$(LIBPKERN) -lz -o $@

.PHONY: fuzz check-fuzz fuzz-corpus
fuzz: $(FUZZ_BIN)
	@mkdir -p $(B)/fuzz/work
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) \
		-print_final_stats=1 $(B)/fuzz/work $(FUZZ_DIR)/corpus

check-fuzz: $(FUZZ_BIN)
	$(FUZZ_BIN) -runs=0 -max_len=$(FUZZ_MAX_LEN) $(FUZZ_DIR)/corpus
	@echo "check-fuzz: corpus of $(words $(wildcard $(FUZZ_DIR)/corpus/*)) inputs passed"

# Seeds from the generator plus anything found by "make fuzz", minimized
# to the inputs needed for edge coverage (hit counts ignored) so the
# committed corpus stays well under 2 MB.
fuzz-corpus: $(FUZZ_BIN) $(FUZZ_GEN)
	rm -rf $(B)/fuzz/seeds $(B)/fuzz/min && mkdir -p $(B)/fuzz/seeds $(B)/fuzz/min
	$(FUZZ_GEN) $(B)/fuzz/seeds
	$(FUZZ_BIN) -merge=1 -use_counters=0 -max_len=$(FUZZ_MAX_LEN) $(B)/fuzz/min \
		$(B)/fuzz/seeds $(FUZZ_DIR)/corpus $(wildcard $(B)/fuzz/work)
	rm -rf $(FUZZ_DIR)/corpus && mkdir -p $(FUZZ_DIR)/corpus
	cp $(B)/fuzz/min/* $(FUZZ_DIR)/corpus/

