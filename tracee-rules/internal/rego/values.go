package rego

import (
	"encoding/json"
	"fmt"
)

// fromOPA converts a value from an OPA result set into plain Go values:
// numbers (json.Number) become int64 when integral, else float64; objects
// and arrays are converted recursively.
func fromOPA(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = fromOPA(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fromOPA(e)
		}
		return out
	default:
		return v
	}
}

// typeName names the kind of an OPA result value for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number, int64, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
