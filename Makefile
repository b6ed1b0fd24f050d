# tracee: tracee-ebpf | tracee-rules
#
#   make deps             install build/test dependencies (Debian packages, Go tools)
#   make build            dist/tracee-ebpf, dist/tracee-rules (no clang needed: objects are committed)
#   make image            container image tracee-go:dev (FROM scratch, static binaries; no registry needed)
#   make bpf              dist/tracee.bpf.core.o, the CO-RE object (load it with TRACEE_BPF_FILE)
#   make run              the full pipeline with every signature (root)
#   make test             every test, privileged eBPF tests included (root)
#   make bench            five host workloads: untraced vs empty probe vs policy pipeline vs event-name pipeline; the recorder
#   make generate         regenerate bpf2go objects, .pb.go and the event table
#   make check-generated  regenerate and fail on any difference

SHELL := /bin/bash
GO ?= go
DIST := dist
EBPF := $(DIST)/tracee-ebpf
RULES := $(DIST)/tracee-rules
GOFLAGS_BUILD := -trimpath
APT_PKGS := clang llvm libbpf-dev bpftool protobuf-compiler linux-libc-dev gcc gcc-multilib make docker.io strace gdb ncat busybox-static tshark python3 nodejs
PROTOC_GEN_GO_VERSION := $(shell cd proto && $(GO) list -m -f '{{.Version}}' google.golang.org/protobuf 2>/dev/null)
VTPROTO_VERSION := $(shell cd proto && $(GO) list -m -f '{{.Version}}' github.com/planetscale/vtprotobuf 2>/dev/null)
GOBIN := $(shell $(GO) env GOPATH)/bin
IMAGE ?= tracee-go:dev
DOCKER ?= docker
# The flags bpf2go uses for the embedded tp_btf build (tracee-ebpf/internal/probes/gen.go).
BPF_CFLAGS := -O2 -mcpu=v1 -g -Wall -Werror -fno-ident -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -Ibpf

.PHONY: all deps build image bpf run test test-unit test-e2e bench generate check-generated clean fmt vet

all: build

deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi
	@test -x $(GOBIN)/protoc-gen-go || $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	@test -x $(GOBIN)/protoc-gen-go-vtproto || $(GO) install github.com/planetscale/vtprotobuf/cmd/protoc-gen-go-vtproto@$(VTPROTO_VERSION)
	$(GO) mod download -C proto && $(GO) mod download -C tracee-ebpf && $(GO) mod download -C tracee-rules && $(GO) mod download -C tests && $(GO) mod download -C deploy

build:
	@mkdir -p $(DIST)
	$(GO) build $(GOFLAGS_BUILD) -o $(EBPF) ./tracee-ebpf
	$(GO) build $(GOFLAGS_BUILD) -o $(RULES) ./tracee-rules

# Static binaries and the launcher in $(DIST)/image, then docker build with that
# directory as the context: nothing is pulled.
image:
	@mkdir -p $(DIST)/image
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags='-s -w' -o $(DIST)/image/tracee-ebpf ./tracee-ebpf
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags='-s -w' -o $(DIST)/image/tracee-rules ./tracee-rules
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags='-s -w' -o $(DIST)/image/tracee ./tracee-ebpf/cmd/tracee
	DOCKER_BUILDKIT=0 $(DOCKER) build -q -f docker/Dockerfile -t $(IMAGE) $(DIST)/image

bpf:
	@mkdir -p $(DIST)
	clang $(BPF_CFLAGS) $(BPF_EXTRA_CFLAGS) -target bpfel -c bpf/tracee.bpf.c -o $(DIST)/tracee.bpf.core.o
	llvm-strip -g $(DIST)/tracee.bpf.core.o

# The main job: trace what every signature needs and detect. Ctrl-C stops both cleanly.
run: build
	$(RULES) --list-policy > $(DIST)/policy.yaml
	$(EBPF) --output format:protobuf --policy $(DIST)/policy.yaml --process-budget 5000 | $(RULES) --input-tracee file:stdin --input-tracee format:protobuf

test: deps build
	$(GO) vet ./proto/... ./tracee-ebpf/... ./tracee-rules/... ./tests/... ./deploy/...
	$(GO) test -count=1 -timeout 45m $(TESTFLAGS) ./proto/... ./tracee-ebpf/... ./tracee-rules/... ./tests/... ./deploy/...

bench: build
	scripts/bench.sh

# Order matters: the event table (and bpf/lib/events_gen.h) before the BPF objects.
generate:
	$(GO) generate ./tracee-ebpf/pkg/events
	$(GO) generate ./tracee-ebpf/internal/...
	PATH="$(GOBIN):$$PATH" protoc -I proto proto/tracee.proto \
		--go_out=proto/traceepb --go_opt=paths=source_relative \
		--go-vtproto_out=proto/traceepb --go-vtproto_opt=paths=source_relative,features=marshal+unmarshal+size+pool+clone,pool=github.com/tracee-go/tracee/proto/traceepb.Event,pool=github.com/tracee-go/tracee/proto/traceepb.Argument

check-generated: deps generate
	@if ! git diff --exit-code --stat -- proto tracee-ebpf bpf; then \
		git diff -- proto tracee-ebpf bpf | head -50; \
		echo "generated files differ from the committed ones: run 'make generate' and commit" >&2; exit 1; fi
	@if [ -n "$$(git status --porcelain -- proto tracee-ebpf bpf)" ]; then \
		git status --porcelain -- proto tracee-ebpf bpf; echo "untracked generated files" >&2; exit 1; fi

fmt:
	gofmt -l -w proto tracee-ebpf tracee-rules tests deploy

clean:
	rm -rf $(DIST)
