package importer

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// On SQLite, rows are written as multi-row INSERT ... VALUES statements
// with the values inlined as SQL literals, not bound:
//   - the driver (glebarez over modernc) parses every statement again on
//     each execution, so preparing once saves nothing, and it binds
//     parameters in time quadratic in their number (WriteRowSet's 200-row
//     statements bind up to 5,600);
//   - passing the rows as one JSON parameter through json_each avoids both
//     but makes SQLite journal every statement (a virtual table may fail
//     part-way), which at 100,000 services cost a fifth of the write.
// Literals are written the way sqlite3_mprintf("%Q") writes them: NULL, or
// text in single quotes with single quotes doubled. Nothing else is special
// inside an SQLite string literal; NUL, which would end the statement, is
// dropped (the cleaner has already removed it) and invalid UTF-8 replaced.
// Values are written as the driver would bind them: booleans as 0 and 1,
// times as text in the driver's format.

// sqliteTimeFormat is how glebarez/go-sqlite writes a time.Time, so that a
// time written here reads back exactly like one GORM wrote.
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// sqliteRows is how many rows one SQLite statement carries.
const sqliteRows = 500

// appendLiteral appends v, a value GORM would pass to the driver, as an
// SQLite literal.
func appendLiteral(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "NULL"...)
	case string:
		return appendQuoted(b, x)
	case *string:
		if x == nil {
			return append(b, "NULL"...)
		}
		return appendQuoted(b, *x)
	case bool:
		if x {
			return append(b, '1')
		}
		return append(b, '0')
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case *int:
		if x == nil {
			return append(b, "NULL"...)
		}
		return strconv.AppendInt(b, int64(*x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendFloat(b, x)
	case *float64:
		if x == nil {
			return append(b, "NULL"...)
		}
		return appendFloat(b, *x)
	case time.Time:
		b = append(b, '\'')
		b = x.AppendFormat(b, sqliteTimeFormat)
		return append(b, '\'')
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return appendQuoted(b, rv.String())
	case reflect.Pointer:
		if rv.IsNil() {
			return append(b, "NULL"...)
		}
		return appendLiteral(b, rv.Elem().Interface())
	case reflect.Bool:
		return appendLiteral(b, rv.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, rv.Int(), 10)
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, rv.Float())
	}
	panic("importer: cannot write " + rv.Type().String() + " as an SQL literal") // the models hold no other types
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "NULL"...)
	}
	// A whole number reads as an INTEGER literal; the REAL columns it goes
	// into store it as REAL, as they do a bound float.
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// appendQuoted appends s as an SQLite string literal.
func appendQuoted(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b = append(b, '\'', '\'')
		case 0:
		default:
			b = append(b, c)
		}
	}
	return append(b, '\'')
}
