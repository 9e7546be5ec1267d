# qe-feed alone links libmosquitto (the MQTT client); lib/feed does not.
$(BIN)/qe-feed: QE_LDLIBS += -lmosquitto
