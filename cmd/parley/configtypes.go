package main

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// BurntSushi/toml reports a value of the wrong shape in Go terms ("TOML
// value has type string; destination has type slice"). typeError says the
// same in the config's own terms, from the Config struct: what the setting
// must be, with an example, and what was written.

var tomlTypeErr = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]+)"\): incompatible types: TOML value has type ([^;]+); destination has type (\S+)`)

func typeError(err error) (line int, msg string, ok bool) {
	m := tomlTypeErr.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, "", false
	}
	line, _ = strconv.Atoi(m[1])
	key := m[2]
	want := "something else"
	if t := fieldType(reflect.TypeFor[Config](), strings.Split(key, ".")); t != nil {
		want = describeType(t, key)
	}
	return line, "`" + key + "` must be " + want + ", not " + describeTOML(m[3]), true
}

// fieldType follows a dotted key through the Config struct's toml tags.
func fieldType(t reflect.Type, path []string) reflect.Type {
	for len(path) > 0 {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			var next reflect.Type
			for i := range t.NumField() {
				if f := t.Field(i); strings.Split(f.Tag.Get("toml"), ",")[0] == path[0] {
					next = f.Type
				}
			}
			if next == nil {
				return nil
			}
			t = next
		case reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
		path = path[1:]
	}
	return t
}

func describeType(t reflect.Type, key string) string {
	name := key[strings.LastIndex(key, ".")+1:]
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.Struct:
			return "a list of tables `[[" + key + "]]`"
		case reflect.String:
			return "a list of strings, e.g. `" + name + ` = ["a", "b"]` + "`"
		}
		return "a list"
	case reflect.Struct:
		return "a table `[" + key + "]`"
	case reflect.Map:
		if t.Elem().Kind() == reflect.Slice {
			return "a table of lists `[" + key + "]`"
		}
		return "a table `[" + key + "]`"
	case reflect.String:
		return "a string in quotes, e.g. `" + name + ` = "…"` + "`"
	case reflect.Bool:
		return "true or false (no quotes)"
	case reflect.Int, reflect.Int64:
		return "a whole number (no quotes)"
	case reflect.Float64:
		return "a number (no quotes)"
	}
	return "a " + t.Kind().String()
}

func describeTOML(t string) string {
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"):
		return "a number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true/false"
	case strings.HasPrefix(t, "map"):
		return "a single table"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	}
	return t
}
