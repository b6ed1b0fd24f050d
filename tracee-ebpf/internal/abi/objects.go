package abi

// TraceeELF and TraceeRawELF are the embedded objects as files (tests and
// tools that need the bytes, e.g. to compare with TRACEE_BPF_FILE).
func TraceeELF() []byte    { return _TraceeBytes }
func TraceeRawELF() []byte { return _TraceeRawBytes }
