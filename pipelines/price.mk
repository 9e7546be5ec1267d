PRICE_MK := $(lastword $(MAKEFILE_LIST))
# ---- price: revalue the book ------------------------------------------------
# qe-price values every live trade as of $(ASOF) against the ingested
# market data:
#   price/valuations.csv     one row per trade (npv, greeks, model)
#   price/sensitivities.csv  delta/gamma/vega per trade, curve and delivery
#                            period (the positions qe-var consumes)
#   price/ladder.csv         net delta by book, curve and month
#   price/errors.csv         trades that could not be priced, with reasons
#
# qe-price also reads the holiday files of $(DATA)/calendars/ (business
# days): they are inputs of the step.
#
# Some trades unpriceable (qe-price exit 3 with all four files written): the
# outputs are kept, an alert line names errors.csv and the count, and the
# pipeline goes on with the priced trades.  PRICE_MAX_ERRORS=N (default: no
# limit) stops the run when more than N trades failed; errors.csv is kept.
# Any other failure (exit 2, 4, 5, 70, or exit 3 with nothing written, e.g.
# malformed market data) stops make.  qe-price writes to *.new files first,
# so a failed run leaves the previous outputs as they were, and errors.csv is
# .PRECIOUS: .DELETE_ON_ERROR never deletes the file that explains a failure.

PRICE_OUT   := $(OUT)/price
PRICE_FILES := $(addprefix $(PRICE_OUT)/,valuations.csv sensitivities.csv ladder.csv errors.csv)
PRICE_MAX_ERRORS ?=

ifneq ($(wildcard $(QE_BIN)/qe-price),)
EOD_OUTPUTS += $(PRICE_FILES)
EOD_INPUTS  += $(EOD_CALENDARS)
eod: $(PRICE_FILES)
.PRECIOUS: $(PRICE_OUT)/errors.csv

$(PRICE_OUT):
	@mkdir -p $@

$(PRICE_FILES) &: $(call hashed,$(I)/trades.csv $(I)/curves.csv $(I)/vols.csv $(I)/rates.csv \
		$(I)/fixings.csv $(I)/markets.csv $(EOD_CALENDARS) $(QE_BIN)/qe-price $(PRICE_MK) $(EOD_MK)) \
		| $(PRICE_OUT)
	@rm -f $(addsuffix .new,$(PRICE_FILES)); rc=0; \
	$(QE_BIN)/qe-price -q --asof $(ASOF) --trades $(I)/trades.csv --curves $(I)/curves.csv \
		--vols $(I)/vols.csv --rates $(I)/rates.csv --markets $(I)/markets.csv \
		--fixings $(I)/fixings.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		-o $(PRICE_OUT)/valuations.csv.new --sensitivities $(PRICE_OUT)/sensitivities.csv.new \
		--ladder $(PRICE_OUT)/ladder.csv.new --errors $(PRICE_OUT)/errors.csv.new || rc=$$?; \
	written=1; for f in $(PRICE_FILES); do [ -f $$f.new ] || written=0; done; \
	if [ $$rc -ne 0 ] && { [ $$rc -ne 3 ] || [ $$written -eq 0 ]; }; then \
		echo "eod: price: qe-price failed (exit $$rc); previous outputs left as they were" >&2; \
		rm -f $(addsuffix .new,$(PRICE_FILES)); exit $$rc; fi; \
	for f in $(PRICE_FILES); do mv -f $$f.new $$f || exit 4; done; \
	n=$$(($$(wc -l < $(PRICE_OUT)/errors.csv) - 1)); \
	if [ $$n -gt 0 ]; then \
		echo "eod: ALERT: price: $$n trade(s) could not be priced (see $(PRICE_OUT)/errors.csv)" >&2; fi; \
	if [ -n "$(PRICE_MAX_ERRORS)" ] && [ $$n -gt $(or $(PRICE_MAX_ERRORS),0) ]; then \
		echo "eod: price: $$n unpriced trades exceed PRICE_MAX_ERRORS=$(PRICE_MAX_ERRORS); stopping" >&2; \
		exit 3; fi
else
$(warning eod: $(QE_BIN)/qe-price not built; price step skipped)
endif
