package importer

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/openreferral-uk/referrals/models"
)

// batch is everything one batch of services needs written: prepared, checked
// and flattened outside the write transaction, then spilled to a temporary
// file so that memory stays bounded however large the input.
type batch struct {
	Rows models.RowSet
	// Placeholders are organisations named by services but missing from
	// the source: inserted only when no organisation has their id.
	Placeholders []models.Organization
	// Records are the provenance rows to upsert for the written records.
	Records []models.ImportRecord
}

// spill writes batches to a temporary file and reads them back in order.
type spill struct {
	f   *os.File
	w   *bufio.Writer
	enc *gob.Encoder
	n   int
}

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, "referrals-import-*.spill")
	if err != nil {
		return nil, fmt.Errorf("importer: create spill file: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	return &spill{f: f, w: w, enc: gob.NewEncoder(w)}, nil
}

func (s *spill) put(b *batch) error {
	if err := s.enc.Encode(b); err != nil {
		return fmt.Errorf("importer: write spill file: %w", err)
	}
	s.n++
	return nil
}

// each reads the batches back in the order they were put. It decodes the
// next batch while fn writes the current one.
func (s *spill) each(fn func(i int, b *batch) error) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("importer: write spill file: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("importer: read spill file: %w", err)
	}
	type decoded struct {
		b   *batch
		err error
	}
	next := make(chan decoded, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		dec := gob.NewDecoder(bufio.NewReaderSize(s.f, 1<<20))
		for range s.n {
			b := &batch{}
			err := dec.Decode(b)
			select {
			case next <- decoded{b, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
		close(next)
	}()
	i := 0
	for d := range next {
		if d.err != nil {
			return fmt.Errorf("importer: read spill file: %w", d.err)
		}
		if err := fn(i, d.b); err != nil {
			return err
		}
		i++
	}
	if i != s.n {
		return errors.New("importer: spill file ended early")
	}
	return nil
}

func (s *spill) close() error {
	name := s.f.Name()
	err := s.f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}
