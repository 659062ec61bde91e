package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/openreferral-uk/referrals/models/hsds"
)

// listKeys are the keys of paged API responses that hold the records:
// "contents" in HSDS 3.0 and ORUK 3.0, "content" in ORUK v1.
var listKeys = map[string]Format{"contents": FormatHSDSJSON, "content": FormatORUKv1JSON}

// maxRecordBytes bounds one record of a JSON stream, so that a malformed
// file cannot make the decoder buffer without limit.
const maxRecordBytes = 16 << 20

// DecodeJSON streams services from JSON: one service object, an array of
// them, a paged API response (HSDS "contents" or ORUK v1 "content"), or any
// number of these one after another (saved pages concatenated, or NDJSON).
// Records are decoded one at a time, so memory does not grow with the input.
//
// format is FormatHSDSJSON, FormatORUKv1JSON or FormatAuto; with FormatAuto
// the first record (or the envelope) decides, and detected is told.
func DecodeJSON(ctx context.Context, r io.Reader, format Format, detected func(Format), yield func(Item) error) error {
	d := &jsonDecoder{ctx: ctx, dec: json.NewDecoder(r), format: format, detected: detected, yield: yield}
	switch format {
	case FormatAuto, FormatHSDSJSON, FormatORUKv1JSON:
	case FormatHSDSAPI:
		d.format = FormatHSDSJSON
	case FormatORUKv1API:
		d.format = FormatORUKv1JSON
	default:
		return inputErrorf("format %s is not JSON", format)
	}
	values := 0
	for {
		tok, err := d.dec.Token()
		if errors.Is(err, io.EOF) {
			if values == 0 {
				return inputErrorf("no JSON in input")
			}
			return nil
		}
		if err != nil {
			return inputErrorf("JSON: %v", err)
		}
		values++
		switch tok {
		case json.Delim('['):
			if err := d.array(); err != nil {
				return err
			}
		case json.Delim('{'):
			if err := d.object(); err != nil {
				return err
			}
		default:
			return inputErrorf("JSON value %d is %v, not an object or array of services", values, tok)
		}
	}
}

type jsonDecoder struct {
	ctx      context.Context
	dec      *json.Decoder
	format   Format
	detected func(Format)
	yield    func(Item) error
	n        int
}

func (d *jsonDecoder) setFormat(f Format) {
	if d.format == FormatAuto {
		d.format = f
		if d.detected != nil {
			d.detected(f)
		}
	}
}

// array streams the elements of an array whose '[' has been read.
func (d *jsonDecoder) array() error {
	for d.dec.More() {
		var raw json.RawMessage
		if err := d.dec.Decode(&raw); err != nil {
			return inputErrorf("JSON: %v", err)
		}
		if err := d.record(raw); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return inputErrorf("JSON: %v", err)
	}
	return nil
}

// object reads an object whose '{' has been read: a page envelope whose list
// is streamed, or a single record, which is small enough to buffer.
func (d *jsonDecoder) object() error {
	fields := map[string]json.RawMessage{}
	envelope := false
	size := 0
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return inputErrorf("JSON: %v", err)
		}
		key, ok := tok.(string)
		if !ok {
			return inputErrorf("JSON: object key is %v", tok)
		}
		if f, isList := listKeys[key]; isList {
			if _, dup := fields[key]; !dup {
				tok, err := d.dec.Token()
				if err != nil {
					return inputErrorf("JSON: %v", err)
				}
				if tok == nil {
					envelope = true
					continue
				}
				if tok != json.Delim('[') {
					return inputErrorf("JSON: %q is not a list", key)
				}
				envelope = true
				d.setFormat(f)
				if err := d.array(); err != nil {
					return err
				}
				continue
			}
		}
		var raw json.RawMessage
		if err := d.dec.Decode(&raw); err != nil {
			return inputErrorf("JSON: %v", err)
		}
		size += len(raw)
		if size > maxRecordBytes {
			return inputErrorf("JSON: a record is larger than %d bytes", maxRecordBytes)
		}
		fields[key] = raw
	}
	if _, err := d.dec.Token(); err != nil {
		return inputErrorf("JSON: %v", err)
	}
	if envelope {
		return nil
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	return d.record(raw)
}

// v1Markers are keys only ORUK v1 services have.
var v1Markers = []string{"regular_schedules", "holiday_schedules", "service_taxonomys", "eligibilitys",
	"deliverable_type", "attending_type", "attending_access", "fundings", "reviews"}

func sniffFormat(raw json.RawMessage) Format {
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return FormatHSDSJSON
	}
	for _, k := range v1Markers {
		if _, ok := keys[k]; ok {
			return FormatORUKv1JSON
		}
	}
	return FormatHSDSJSON
}

func (d *jsonDecoder) record(raw json.RawMessage) error {
	if err := d.ctx.Err(); err != nil {
		return err
	}
	d.n++
	if d.format == FormatAuto {
		d.setFormat(sniffFormat(raw))
	}
	var it Item
	if d.format == FormatORUKv1JSON {
		it = decodeV1Service(raw)
	} else {
		it = decodeHSDSService(raw)
	}
	it.Where = "item " + strconv.Itoa(d.n)
	return d.yield(it)
}

// decodeHSDSService decodes one HSDS 3.0 service. A field of the wrong type
// is dropped and reported (encoding/json reports the first; the rest of the
// record still decodes); a value that is not an object is skipped.
func decodeHSDSService(raw json.RawMessage) Item {
	var s hsds.Service
	err := json.Unmarshal(raw, &s)
	var it Item
	// Fields hsds.Service does not hold: numeric ids, which some feeds send,
	// and ORUK 3.0's "fees", its name for fees_description.
	var probe struct {
		ID   flexString `json:"id"`
		Fees flexString `json:"fees"`
	}
	if (s.ID == "" || s.FeesDescription == "") && json.Unmarshal(raw, &probe) == nil {
		if s.ID == "" {
			s.ID = probe.ID.V
		}
		if s.FeesDescription == "" {
			s.FeesDescription = probe.Fees.V
		}
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || te.Field == "" {
			it.Problems = append(it.Problems, Problem{RecordType: recordService, Reason: "not a JSON object", Action: Skipped})
			return it
		}
		if te.Field != "id" || s.ID == "" {
			it.Problems = append(it.Problems, Problem{RecordType: recordService, RecordID: s.ID, Field: te.Field,
				Reason: fmt.Sprintf("expected %s, got JSON %s", te.Type, te.Value), Action: Dropped})
		}
	}
	it.Service = &s
	return it
}
