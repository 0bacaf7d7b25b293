package vk

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The VK API schema for 5.199 (VKCOM/vk-api-schema, MIT, testdata/) is
// what the fake is built from: its method list, token types, parameters
// and error codes; and what every answer the fake gives is checked
// against, strictly: a field the schema does not define fails the test.

const schemaDir = "testdata/vk-api-schema"

type paramSpec struct {
	Name     string   `json:"name"`
	Type     any      `json:"type"`
	Required bool     `json:"required"`
	Enum     []any    `json:"enum"`
	Minimum  *float64 `json:"minimum"`
	Maximum  *float64 `json:"maximum"`
}

type methodSpec struct {
	Name       string               `json:"name"`
	TokenTypes []string             `json:"access_token_type"`
	Params     []paramSpec          `json:"parameters"`
	Responses  map[string]schemaRef `json:"responses"`
}

type schemaRef struct {
	Ref string `json:"$ref"`
}

type schema struct {
	methods map[string]methodSpec
	errors  map[int]string // code → description
	files   map[string]map[string]any
}

func loadSchema(t testing.TB) *schema {
	t.Helper()
	s := &schema{methods: map[string]methodSpec{}, errors: map[int]string{}, files: map[string]map[string]any{}}
	ms, _ := filepath.Glob(filepath.Join(schemaDir, "*", "methods.json"))
	if len(ms) == 0 {
		t.Fatal("no schema in " + schemaDir)
	}
	for _, f := range ms {
		var doc struct {
			Methods []methodSpec `json:"methods"`
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, m := range doc.Methods {
			s.methods[m.Name] = m
		}
	}
	var errs struct {
		Errors map[string]struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"errors"`
	}
	b, err := os.ReadFile(filepath.Join(schemaDir, "errors.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &errs); err != nil {
		t.Fatal(err)
	}
	for _, e := range errs.Errors {
		if _, dup := s.errors[e.Code]; !dup {
			s.errors[e.Code] = e.Description
		}
	}
	return s
}

// file loads one schema document by its path relative to schemaDir.
func (s *schema) file(rel string) (map[string]any, bool) {
	rel = filepath.Clean(rel)
	if d, ok := s.files[rel]; ok {
		return d, d != nil
	}
	b, err := os.ReadFile(filepath.Join(schemaDir, rel))
	var d map[string]any
	if err == nil {
		_ = json.Unmarshal(b, &d)
	}
	s.files[rel] = d
	return d, d != nil
}

// resolve follows a $ref such as "../wall/objects.json#/definitions/x"
// written in the file at base. A ref into a part of the schema that is not
// in testdata (photos, video, docs…) resolves to nil: anything goes there.
func (s *schema) resolve(base, ref string) (map[string]any, string) {
	file, frag, _ := strings.Cut(ref, "#")
	target := base
	if file != "" {
		target = filepath.Join(filepath.Dir(base), file)
	}
	doc, ok := s.file(target)
	if !ok {
		return nil, target
	}
	var node any = doc
	for _, p := range strings.Split(strings.Trim(frag, "/"), "/") {
		if p == "" {
			continue
		}
		m, _ := node.(map[string]any)
		node = m[p]
	}
	m, _ := node.(map[string]any)
	return m, target
}

// check validates v against the schema node sch (in file base) and returns
// every problem with its JSON path.
func (s *schema) check(base string, sch map[string]any, v any, path string) []string {
	if sch == nil {
		return nil
	}
	if ref, ok := sch["$ref"].(string); ok {
		r, file := s.resolve(base, ref)
		return s.check(file, r, v, path)
	}
	var probs []string
	if all, ok := sch["allOf"].([]any); ok {
		// The parts together define the object's fields: each part checks
		// its own, and a field none of them defines is a problem.
		for _, part := range all {
			pm, _ := part.(map[string]any)
			probs = append(probs, s.checkOpen(base, pm, v, path)...)
		}
		if obj, ok := v.(map[string]any); ok {
			names, open := s.propNames(base, sch)
			for k := range obj {
				if !open && !names[k] {
					probs = append(probs, path+"."+k+": not a field of the schema")
				}
			}
		}
		return probs
	}
	if one, ok := sch["oneOf"].([]any); ok {
		for _, alt := range one {
			am, _ := alt.(map[string]any)
			if len(s.check(base, am, v, path)) == 0 {
				return nil
			}
		}
		return []string{path + ": matches none of oneOf"}
	}
	if !typeOK(sch["type"], v) {
		return []string{fmt.Sprintf("%s: %T does not match type %v", path, v, sch["type"])}
	}
	if enum, ok := sch["enum"].([]any); ok && !inEnum(enum, v) {
		probs = append(probs, fmt.Sprintf("%s: %v is not one of %v", path, v, enum))
	}
	switch x := v.(type) {
	case map[string]any:
		props, hasProps := sch["properties"].(map[string]any)
		if !hasProps {
			return probs
		}
		for k, pv := range props {
			pm, _ := pv.(map[string]any)
			if req, _ := pm["required"].(bool); req {
				if _, ok := x[k]; !ok {
					probs = append(probs, path+"."+k+": required but missing")
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pv, ok := props[k]
			if !ok {
				probs = append(probs, path+"."+k+": not a field of the schema")
				continue
			}
			pm, _ := pv.(map[string]any)
			probs = append(probs, s.check(base, pm, x[k], path+"."+k)...)
		}
	case []any:
		if it, ok := sch["items"].(map[string]any); ok {
			for i, e := range x {
				probs = append(probs, s.check(base, it, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return probs
}

// propNames collects the fields an object schema defines, through $ref
// and allOf; open is true when part of it is outside testdata.
func (s *schema) propNames(base string, sch map[string]any) (names map[string]bool, open bool) {
	names = map[string]bool{}
	if sch == nil {
		return names, true
	}
	if ref, ok := sch["$ref"].(string); ok {
		r, file := s.resolve(base, ref)
		return s.propNames(file, r)
	}
	if all, ok := sch["allOf"].([]any); ok {
		for _, part := range all {
			pm, _ := part.(map[string]any)
			n, o := s.propNames(base, pm)
			open = open || o
			for k := range n {
				names[k] = true
			}
		}
	}
	if props, ok := sch["properties"].(map[string]any); ok {
		for k := range props {
			names[k] = true
		}
	}
	return names, open
}

// checkOpen checks v against sch without complaining about fields sch
// does not define (another allOf part may define them).
func (s *schema) checkOpen(base string, sch map[string]any, v any, path string) []string {
	var out []string
	for _, p := range s.check(base, sch, v, path) {
		if !strings.HasSuffix(p, ": not a field of the schema") || strings.Count(p[len(path):], ".") > 1 {
			out = append(out, p)
		}
	}
	return out
}

func typeOK(t any, v any) bool {
	switch tt := t.(type) {
	case nil:
		return true
	case []any:
		for _, x := range tt {
			if typeOK(x, v) {
				return true
			}
		}
		return false
	case string:
		switch tt {
		case "object":
			_, ok := v.(map[string]any)
			return ok
		case "array":
			_, ok := v.([]any)
			return ok
		case "string":
			_, ok := v.(string)
			return ok
		case "boolean":
			_, ok := v.(bool)
			return ok
		case "integer":
			f, ok := v.(float64)
			return ok && f == float64(int64(f))
		case "number":
			_, ok := v.(float64)
			return ok
		}
	}
	return true
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

// checkResponse validates a whole answer body against the response the
// schema names for the method (extendedResponse when extended=1 was asked
// for and the schema has one).
func (s *schema) checkResponse(method string, extended bool, body []byte) []string {
	m, ok := s.methods[method]
	if !ok {
		return nil // users.get: not in the stored part of the schema
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{method + ": " + err.Error()}
	}
	keys := []string{"response"}
	if extended {
		keys = []string{"extendedResponse", "response"}
	}
	if method == "messages.send" {
		keys = []string{"deprecatedResponse"}
	}
	for _, k := range keys {
		if r, ok := m.Responses[k]; ok {
			node, file := s.resolve(filepath.Join(strings.SplitN(method, ".", 2)[0], "methods.json"), r.Ref)
			if node == nil {
				return []string{method + ": response definition " + r.Ref + " not found"}
			}
			return s.check(file, node, v, method)
		}
	}
	return []string{method + ": no response definition"}
}
