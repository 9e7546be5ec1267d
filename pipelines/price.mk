# ---- price: revalue the book ------------------------------------------------
# qe-price values every live trade as of $(ASOF) against the ingested
# market data:
#   price/valuations.csv     one row per trade (npv, greeks, model)
#   price/sensitivities.csv  delta/gamma/vega per trade, curve and delivery
#                            period (the positions qe-var consumes)
#   price/ladder.csv         net delta by book, curve and month
#   price/errors.csv         trades that could not be priced (the step fails
#                            when there are any: exit 3)

PRICE_OUT   := $(OUT)/price
PRICE_FILES := $(addprefix $(PRICE_OUT)/,valuations.csv sensitivities.csv ladder.csv errors.csv)

ifneq ($(wildcard $(QE_BIN)/qe-price),)
EOD_OUTPUTS += $(PRICE_FILES)
eod: $(PRICE_FILES)

$(PRICE_OUT):
	@mkdir -p $@

$(PRICE_FILES) &: $(I)/trades.csv $(I)/curves.csv $(I)/vols.csv $(I)/rates.csv \
		$(I)/fixings.csv $(I)/markets.csv $(QE_BIN)/qe-price | $(PRICE_OUT)
	$(QE_BIN)/qe-price -q --asof $(ASOF) --trades $(I)/trades.csv --curves $(I)/curves.csv \
		--vols $(I)/vols.csv --rates $(I)/rates.csv --markets $(I)/markets.csv \
		--fixings $(I)/fixings.csv $(if $(wildcard $(DATA)/calendars),--calendars $(DATA)/calendars) \
		-o $(PRICE_OUT)/valuations.csv --sensitivities $(PRICE_OUT)/sensitivities.csv \
		--ladder $(PRICE_OUT)/ladder.csv --errors $(PRICE_OUT)/errors.csv
else
$(warning eod: $(QE_BIN)/qe-price not built; price step skipped)
endif
