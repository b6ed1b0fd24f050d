package webhook

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Flatten turns a signature's data into flat, JSON-safe fields under
// prefix: nested maps (and structs and protobuf messages, through their JSON
// form) become dotted keys ("tracee.addr.ip"); every value is a string, a
// number or a bool. Lists become their JSON text ("[\"a\",\"b\"]"), byte
// slices text when printable and hex otherwise, times RFC 3339 strings,
// non-finite floats strings. Nil values are left out.
func Flatten(prefix string, data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		flattenValue(join(prefix, k), v, out)
	}
	return out
}

// join builds a dotted field name. Spaces in signature data keys ("ptrace
// request") become underscores: Falco field names have none, and the
// "key=value" pairs of the output line must stay unambiguous.
func join(prefix, key string) string {
	key = strings.ReplaceAll(key, " ", "_")
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func flattenValue(key string, v any, out map[string]any) {
	switch x := normalize(v, 0).(type) {
	case nil:
	case map[string]any:
		for k, vv := range x {
			flattenValue(join(key, k), vv, out)
		}
	case []any:
		b, err := json.Marshal(x)
		if err != nil {
			out[key] = fmt.Sprint(x)
			return
		}
		out[key] = string(b)
	default:
		out[key] = x
	}
}

// maxDepth bounds recursion through self-referencing values.
const maxDepth = 16

// normalize returns v as a JSON-safe tree: nil, string, bool, a Go number
// or json.Number, map[string]any or []any.
func normalize(v any, depth int) any {
	if depth > maxDepth {
		return fmt.Sprint(v)
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string, bool, json.Number,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr:
		return x
	case float32:
		return finite(float64(x), x)
	case float64:
		return finite(x, x)
	case []byte:
		return bytesText(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case error:
		return x.Error()
	case proto.Message:
		b, err := protojson.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return decodeJSON(b, depth)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, vv := range x {
			m[k] = normalize(vv, depth+1)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, vv := range x {
			s[i] = normalize(vv, depth+1)
		}
		return s
	case fmt.Stringer:
		return x.String()
	}

	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface(), depth+1)
	case reflect.Map:
		m := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			m[fmt.Sprint(iter.Key().Interface())] = normalize(iter.Value().Interface(), depth+1)
		}
		return m
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil
		}
		s := make([]any, rv.Len())
		for i := range s {
			s[i] = normalize(rv.Index(i).Interface(), depth+1)
		}
		return s
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		return finite(rv.Float(), rv.Float())
	case reflect.Struct:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return decodeJSON(b, depth)
	default: // chan, func, complex, unsafe pointer
		return fmt.Sprint(v)
	}
}

func finite(f float64, v any) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprint(f)
	}
	return v
}

func decodeJSON(b []byte, depth int) any {
	var tree any
	if err := unmarshalNumber(b, &tree); err != nil {
		return string(b)
	}
	return normalize(tree, depth+1)
}

// bytesText renders a buffer as text when it is printable UTF-8, else as hex.
func bytesText(b []byte) string {
	if utf8.Valid(b) {
		printable := true
		for _, r := range string(b) {
			if !unicode.IsPrint(r) && !unicode.IsSpace(r) {
				printable = false
				break
			}
		}
		if printable {
			return string(b)
		}
	}
	return hex.EncodeToString(b)
}
