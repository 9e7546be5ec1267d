# make MPI=1: qe-var, qe-price and qe-optimize built with mpicc against
# Open MPI into bin-mpi/ (objects in build-mpi/, -DQE_MPI: cmd/cli.c
# starts MPI, lib/core/par shares the work); the plain build in bin/ is
# untouched and MPI-free.  `make check` builds both and tests/mpi.bats
# compares them byte for byte under mpirun.
MPI_TOOLS := qe-var qe-price qe-optimize
MPI_CC    ?= mpicc

.PHONY: mpi
mpi: deps
	@$(MAKE) --no-print-directory MPI=inner CC=$(MPI_CC) BUILD=build-mpi BIN=bin-mpi \
		$(MPI_TOOLS:%=bin-mpi/%)

ifeq ($(MPI),1)
all: mpi
endif
ifeq ($(MPI),inner)
QE_CPPFLAGS += -DQE_MPI
endif

check: mpi

clean: clean-mpi
.PHONY: clean-mpi
clean-mpi:
	rm -rf build-mpi bin-mpi
