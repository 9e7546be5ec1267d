# End-of-day pipeline: `make eod` (top-level Makefile) runs
#   make -f pipelines/eod.mk QE_BIN=$(CURDIR)/bin
# from the top of the tree.  Every step is a rule on files, so a second run
# recomputes only what changed (and does nothing when nothing did).
#
# Variables (override on the command line):
#   QE_BIN  directory of the qe-* tools          DATA  input data (data)
#   ASOF    as-of date (read from curves.csv)    OUT   out/eod/$(ASOF)
#
# Adding a step (a few lines, here or in pipelines/<tool>.mk, which is
# included automatically): a rule that makes files under $(OUT)/<tool>/
# from $(I)/... inputs (the ingested, validated data) and the tool binary,
# then `EOD_OUTPUTS += <its files>` so the run manifest covers them:
#
#   EOD_OUTPUTS += $(OUT)/price/valuations.csv
#   $(OUT)/price/valuations.csv: $(I)/trades.csv $(I)/curves.csv $(QE_BIN)/qe-price | $(OUT)/price
#   	$(QE_BIN)/qe-price --asof $(ASOF) --trades $(I)/trades.csv ... -o $@

QE_BIN ?= bin
DATA   ?= data
ASOF   ?= $(shell awk -F, 'NR == 2 { print $$2; exit }' $(DATA)/curves.csv)
OUT    ?= out/eod/$(ASOF)
I      := $(OUT)/ingest

ifeq ($(ASOF),)
$(error eod: cannot read the as-of date from $(DATA)/curves.csv)
endif

.DELETE_ON_ERROR:
.PHONY: eod

eod: $(OUT)/manifest.csv
	@echo "eod: as-of $(ASOF): results in $(OUT)/ (manifest: $(OUT)/manifest.csv)"

$(OUT) $(I):
	@mkdir -p $@

# ---- ingest: validate and normalise every input ---------------------------
# qe-ingest KIND FILE -o OUT --rejects REJECTS.  The bundled data are clean
# except three counterparties whose LEIs are invalid on purpose: qe-ingest
# rejects exactly those (exit 3), and the step checks that nothing else was.

INGEST_KINDS := markets trades prices fixings vols rates history counterparties limits meters weather
ingest_file   = $(if $(filter prices,$(1)),curves,$(1))
INGESTED     := $(foreach k,$(INGEST_KINDS),$(I)/$(call ingest_file,$(k)).csv)
EOD_INPUTS   := $(foreach k,$(INGEST_KINDS),$(DATA)/$(call ingest_file,$(k)).csv)
EOD_OUTPUTS  := $(INGESTED)
# rejects expected in the bundled data, per kind
INGEST_EXPECT_REJECTS_counterparties := 3

# per-kind options: meters are aggregated to hourly settlement periods in
# the market zone of the sites
INGEST_ARGS_meters := --tz Europe/Berlin --period 60

define ingest_rule
$(I)/$(call ingest_file,$(1)).csv: $(DATA)/$(call ingest_file,$(1)).csv $(DATA)/markets.csv $(QE_BIN)/qe-ingest | $(I)
	@rc=0; $(QE_BIN)/qe-ingest $(1) $$< --markets $(DATA)/markets.csv $(INGEST_ARGS_$(1)) -o $$@.tmp \
		--rejects $(I)/$(call ingest_file,$(1)).rejects.csv || rc=$$$$?; \
	n=$$$$(($$$$(wc -l 2>/dev/null < $(I)/$(call ingest_file,$(1)).rejects.csv || echo 1) - 1)); \
	if [ $$$$rc -ne 0 ] && { [ $$$$rc -ne 3 ] || [ $$$$n -ne $(or $(INGEST_EXPECT_REJECTS_$(1)),0) ]; }; then \
		echo "eod: ingest $(1): exit $$$$rc, $$$$n rejects (see $(I)/$(call ingest_file,$(1)).rejects.csv)" >&2; \
		rm -f $$@.tmp; exit 1; fi; \
	mv $$@.tmp $$@
endef
$(foreach k,$(INGEST_KINDS),$(eval $(call ingest_rule,$(k))))

# ---- later steps ------------------------------------------------------------
-include $(filter-out pipelines/eod.mk,$(wildcard pipelines/*.mk))

# ---- run manifest: SHA-256 of every input and output ----------------------
# Written last, from the final EOD_OUTPUTS list; role,path,bytes,sha256.
$(OUT)/manifest.csv: $(EOD_INPUTS) $(EOD_OUTPUTS) | $(OUT)
	@{ echo "role,path,bytes,sha256"; \
	  for f in $(EOD_INPUTS); do echo "input,$$f,$$(wc -c < $$f),$$(sha256sum $$f | cut -d' ' -f1)"; done; \
	  for f in $(EOD_OUTPUTS); do echo "output,$$f,$$(wc -c < $$f),$$(sha256sum $$f | cut -d' ' -f1)"; done; \
	} > $@.tmp && mv $@.tmp $@
	@echo "eod: manifest $@"
