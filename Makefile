# scidl: everything a fresh Debian machine (root, Rust toolchain) needs, in two commands:
#   make demo   # trains and tests a CNN on the bundled digits, writes runs/demo/report.md
#   make test   # the whole test suite
# Each target first installs the Debian packages the build needs when they are missing.

DEB_PACKAGES := pkg-config libhdf5-dev libcfitsio-dev fonts-dejavu-core
CARGO ?= cargo

.PHONY: deps demo test fashion-mnist case-fashion-mnist case-co2 case-astro-detect bench bench-climate bench-astro doc lint

deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo: deps
	$(CARGO) run --release -p scidl -- demo

test: deps
	$(CARGO) test --workspace

fashion-mnist:
	data/fetch.sh fashion-mnist

case-fashion-mnist: deps fashion-mnist
	$(CARGO) run --release -p scidl -- case fashion-mnist

case-co2: deps
	$(CARGO) run --release -p scidl -- case co2

case-astro-detect: deps
	$(CARGO) run --release -p scidl -- case astro-detect

bench: deps
	benches/vs-pytorch.sh --threads 2

bench-climate: deps
	benches/climate-vs-pandas.sh

bench-astro: deps
	benches/astro-vs-sep.sh

doc: deps
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps

lint: deps
	$(CARGO) clippy --workspace --all-targets
	$(CARGO) fmt --check
