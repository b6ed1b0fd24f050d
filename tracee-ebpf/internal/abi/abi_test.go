package abi

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// TestGoViewMatchesBTF checks the Go view of the record header and the
// config (what decode and the loader use) against the BTF of both compiled
// objects, member by member: name, offset and size. A header edited in C
// without make generate fails here.
func TestGoViewMatchesBTF(t *testing.T) {
	for _, obj := range []struct {
		name string
		load func() (*ebpf.CollectionSpec, error)
	}{{"Tracee", LoadTracee}, {"TraceeRaw", LoadTraceeRaw}} {
		spec, err := obj.load()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			cName string
			goVal any
		}{{"event_ctx", RecordHeader{}}, {"config", Config{}}, {"syscall_arg_kinds", SyscallArgKinds{}}} {
			var st *btf.Struct
			if err := spec.Types.TypeByName(c.cName, &st); err != nil {
				t.Fatalf("%s: struct %s: %v", obj.name, c.cName, err)
			}
			compareStruct(t, obj.name, st, reflect.TypeOf(c.goVal))
		}
	}
}

func compareStruct(t *testing.T, obj string, st *btf.Struct, gt reflect.Type) {
	t.Helper()
	if int(st.Size) != int(gt.Size()) {
		t.Errorf("%s: struct %s is %d bytes, Go %s %d", obj, st.Name, st.Size, gt.Name(), gt.Size())
	}
	var fields []reflect.StructField
	for i := range gt.NumField() {
		if f := gt.Field(i); f.Name != "_" {
			fields = append(fields, f)
		}
	}
	if len(fields) != len(st.Members) {
		t.Fatalf("%s: struct %s has %d members, Go %s %d fields", obj, st.Name, len(st.Members), gt.Name(), len(fields))
	}
	for i, m := range st.Members {
		f := fields[i]
		size, err := btf.Sizeof(m.Type)
		if err != nil {
			t.Fatalf("%s: %s.%s: %v", obj, st.Name, m.Name, err)
		}
		if camel(m.Name) != f.Name || int(m.Offset.Bytes()) != int(f.Offset) || size != int(f.Type.Size()) {
			t.Errorf("%s: %s.%s at %d (%d bytes), Go %s.%s at %d (%d bytes)", obj, st.Name, m.Name,
				m.Offset.Bytes(), size, gt.Name(), f.Name, f.Offset, f.Type.Size())
		}
	}
}

// camel is bpf2go's naming: "host_pid" -> "HostPid".
func camel(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(s, "_") {
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// Every hook's program exists in both objects under the same name.
func TestHookProgramsInBothObjects(t *testing.T) {
	for _, load := range []func() (*ebpf.CollectionSpec, error){LoadTracee, LoadTraceeRaw} {
		spec, err := load()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range Hooks {
			p, ok := spec.Programs[h.Prog]
			if !ok {
				t.Errorf("program %s of hook %s missing", h.Prog, h.Name)
				continue
			}
			switch {
			case h.OnDemand && (p.SectionName != "raw_tp" || p.Type != ebpf.RawTracepoint):
				t.Errorf("on-demand program %s in section %s (%s), want raw_tp: only that runs with BPF_PROG_TEST_RUN", h.Prog, p.SectionName, p.Type)
			case !h.OnDemand && !strings.HasSuffix(p.SectionName, "/"+h.Name):
				t.Errorf("program %s in section %s, want .../%s", h.Prog, p.SectionName, h.Name)
			}
		}
	}
}
