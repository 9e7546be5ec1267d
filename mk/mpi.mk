# make MPI=1: qe-var, qe-price and qe-optimize built with mpicc against
# Open MPI into bin-mpi/ (objects in build-mpi/, -DQE_MPI: cmd/cli.c
# starts MPI, lib/core/par shares the work); the plain build in bin/ is
# untouched and MPI-free.  `make check` builds both and tests/mpi.bats
# compares them byte for byte under mpirun.
MPI_TOOLS := qe-var qe-price qe-optimize
MPI_CC    ?= mpicc

# Only lib/core/par.c and cmd/cli.c read QE_MPI: the MPI build compiles
# those two with mpicc and links the plain build's other objects (its
# libqe.a with par.o replaced), so the plain build comes first and is
# not compiled twice.
.PHONY: mpi
mpi: deps $(MPI_TOOLS:%=$(BIN)/%)
	@$(MAKE) --no-print-directory MPI=inner CC=$(MPI_CC) BUILD=build-mpi BIN=bin-mpi \
		MPI_PLAIN=$(BUILD) $(MPI_TOOLS:%=bin-mpi/%)

ifeq ($(MPI),1)
all: mpi
endif
ifeq ($(MPI),inner)
QE_CPPFLAGS += -DQE_MPI
MPI_OBJ := $(BUILD)/lib/core/par.o
$(LIBQE): $(MPI_PLAIN)/libqe.a $(MPI_OBJ)
	rm -f $@ $@.tmp
	cp $(MPI_PLAIN)/libqe.a $@.tmp
	ar rs $@.tmp $(MPI_OBJ)
	mv -f $@.tmp $@
endif

clean: clean-mpi
.PHONY: clean-mpi
clean-mpi:
	rm -rf build-mpi bin-mpi
