package importer

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// The write mirrors models.WriteRowSet (top-level records upserted keeping
// when they were first seen and their local settings, every child of a
// written service, location or organisation replaced, the search index
// rebuilt) with what an import of up to 100,000 services needs on top:
//   - statements sized for each database: on SQLite, multi-row VALUES with
//     inlined literals (see sqliteliteral.go); on PostgreSQL, prepared
//     multi-row statements of up to 8,000 parameters;
//   - children deleted only for records that already existed;
//   - an upsert never overwrites a record another source keeps, and a child
//     whose id another record already has gets a derived id.
// TestWriteMatchesWriteRowSet keeps the two in step.

// Columns an import never overwrites: when the record was first seen, and
// the settings this platform adds to HSDS.
var (
	keepService      = append([]string{"id", "first_seen_at"}, models.ServiceLocalColumns...)
	keepLocation     = []string{"id", "first_seen_at", "professionals_only", "coordinates_approximate"}
	keepOrganization = []string{"id", "first_seen_at", "parent_organization_id"}
)

// conflict says what an INSERT does when the key exists.
type conflict int

const (
	conflictFail conflict = iota
	conflictIgnore
	conflictUpdate
)

// table is the SQL shape of one model, read from its GORM tags.
type table struct {
	name   string
	cols   []string
	fields []*schema.Field
}

var tables sync.Map // reflect.Type -> *table

func tableOf[T any]() *table {
	t := reflect.TypeFor[T]()
	if v, ok := tables.Load(t); ok {
		return v.(*table)
	}
	s, err := schema.Parse(new(T), &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(fmt.Sprintf("importer: parse %v: %v", t, err)) // the models are fixed at compile time
	}
	tb := &table{name: s.Table}
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		tb.cols = append(tb.cols, f.DBName)
		tb.fields = append(tb.fields, f)
	}
	tables.Store(t, tb)
	return tb
}

// writer runs the statements of one import inside its transaction.
type writer struct {
	ctx       context.Context
	tx        *gorm.DB
	pool      gorm.ConnPool
	postgres  bool
	maxParams int
	source    string
	now       time.Time
	rep       *Report
	stmts     map[string]*sql.Stmt
	buf       []byte
	// execCtx runs statements: without cancellation, because the driver
	// starts a goroutine per statement to watch a cancellable context; the
	// run checks for cancellation between batches instead.
	execCtx context.Context
}

func newWriter(ctx context.Context, tx *gorm.DB, source string, now time.Time, rep *Report) *writer {
	w := &writer{ctx: ctx, tx: tx.WithContext(ctx), pool: tx.Statement.ConnPool, postgres: models.DialectFor(tx) == models.Postgres,
		source: source, now: now, rep: rep, stmts: map[string]*sql.Stmt{}, execCtx: context.WithoutCancel(ctx)}
	// PostgreSQL takes up to 65,535 parameters a statement; fewer round
	// trips are faster. SQLite takes its rows as JSON instead.
	w.maxParams = 8000
	return w
}

func (w *writer) close() {
	for _, s := range w.stmts {
		_ = s.Close()
	}
}

func quote(name string) string { return `"` + name + `"` }

// statementParts returns the SQL of an INSERT into t before its VALUES
// rows and after them.
func (w *writer) statementParts(t *table, mode conflict, keep []string, guard bool) (head, tail string) {
	var b strings.Builder
	if w.postgres {
		b.WriteString("INSERT INTO ")
	} else {
		// OR FAIL: a failing statement fails the whole run anyway, so
		// SQLite need not journal each statement to undo it alone.
		b.WriteString("INSERT OR FAIL INTO ")
	}
	b.WriteString(quote(t.name))
	b.WriteString(" (")
	for i, c := range t.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(c))
	}
	b.WriteString(") VALUES ")
	head = b.String()
	b.Reset()
	switch mode {
	case conflictIgnore:
		b.WriteString(" ON CONFLICT DO NOTHING")
	case conflictUpdate:
		key := []string{"id"}
		if t.name == "import_records" {
			key = []string{"source", "record_type", "record_id"}
		}
		b.WriteString(" ON CONFLICT (")
		for i, k := range key {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quote(k))
		}
		b.WriteString(") DO UPDATE SET ")
		first := true
		for _, c := range t.cols {
			if slices.Contains(keep, c) || slices.Contains(key, c) {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString(quote(c) + " = excluded." + quote(c))
		}
		if guard {
			// Never overwrite a record another source keeps, even one that
			// became so after the run was prepared.
			b.WriteString(" WHERE " + quote(t.name) + ".source = excluded.source")
		}
	}
	return head, b.String()
}

// stmt returns the prepared INSERT of n rows into t, for PostgreSQL.
func (w *writer) stmt(t *table, n int, mode conflict, keep []string, guard bool) (*sql.Stmt, error) {
	key := t.name + "/" + strconv.Itoa(n) + "/" + strconv.Itoa(int(mode)) + "/" + strconv.FormatBool(guard)
	if s, ok := w.stmts[key]; ok {
		return s, nil
	}
	head, tail := w.statementParts(t, mode, keep, guard)
	var b strings.Builder
	b.WriteString(head)
	p := 0
	for r := range n {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for i := range t.cols {
			if i > 0 {
				b.WriteByte(',')
			}
			p++
			b.WriteString("$" + strconv.Itoa(p))
		}
		b.WriteByte(')')
	}
	b.WriteString(tail)
	s, err := w.pool.PrepareContext(w.ctx, b.String())
	if err != nil {
		return nil, err
	}
	w.stmts[key] = s
	return s, nil
}

// insert writes rows of T with multi-row statements. With conflictIgnore
// it returns the chunks of rows of which some were not inserted.
func insert[T any](w *writer, rows []T, mode conflict, keep []string, guard bool) ([]T, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	t := tableOf[T]()
	if !w.postgres {
		return insertLiteral(w, t, rows, mode, keep, guard)
	}
	per := max(1, w.maxParams/len(t.cols))
	args := make([]any, 0, per*len(t.cols))
	var missed []T
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		st, err := w.stmt(t, len(chunk), mode, keep, guard) //nolint:sqlclosecheck // cached; writer.close closes them
		if err != nil {
			return nil, fmt.Errorf("prepare insert into %s: %w", t.name, err)
		}
		args = args[:0]
		for i := range chunk {
			rv := reflect.ValueOf(&chunk[i]).Elem()
			for _, f := range t.fields {
				v, _ := f.ValueOf(w.ctx, rv)
				args = append(args, v)
			}
		}
		res, err := st.ExecContext(w.execCtx, args...)
		if err != nil {
			return nil, fmt.Errorf("insert into %s: %w", t.name, err)
		}
		if mode == conflictIgnore {
			if n, err := res.RowsAffected(); err == nil && int(n) < len(chunk) {
				missed = append(missed, chunk...)
			}
		}
	}
	return missed, nil
}

// insertLiteral is insert on SQLite: each statement carries its rows as
// literals (see sqliteliteral.go).
func insertLiteral[T any](w *writer, t *table, rows []T, mode conflict, keep []string, guard bool) ([]T, error) {
	head, tail := w.statementParts(t, mode, keep, guard)
	var missed []T
	buf := w.buf[:0]
	for start := 0; start < len(rows); start += sqliteRows {
		chunk := rows[start:min(start+sqliteRows, len(rows))]
		buf = append(buf[:0], head...)
		for i := range chunk {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '(')
			rv := reflect.ValueOf(&chunk[i]).Elem()
			for j, f := range t.fields {
				if j > 0 {
					buf = append(buf, ',')
				}
				v, _ := f.ValueOf(w.ctx, rv)
				buf = appendLiteral(buf, v)
			}
			buf = append(buf, ')')
		}
		buf = append(buf, tail...)
		// Straight to the connection: GORM would read a "?" inside a
		// literal as a placeholder.
		res, err := w.pool.ExecContext(w.execCtx, string(buf))
		if err != nil {
			return nil, fmt.Errorf("insert into %s: %w", t.name, err)
		}
		if mode == conflictIgnore {
			if n, err := res.RowsAffected(); err == nil && int(n) < len(chunk) {
				missed = append(missed, chunk...)
			}
		}
	}
	w.buf = buf
	return missed, nil
}

// upsert writes rows, updating those whose key exists.
func upsert[T any](w *writer, rows []T, keep []string, guard bool) error {
	_, err := insert(w, rows, conflictUpdate, keep, guard)
	return err
}

// execIn runs a statement whose last condition is "column IN (ids)", written
// as {in}, in chunks.
func (w *writer) execIn(query string, ids []string, before ...any) error {
	return chunks(ids, func(part []string) error {
		in, arg := inIDs(w.tx, part)
		return w.tx.Exec(strings.Replace(query, "{in}", in, 1), append(slices.Clone(before), arg)...).Error
	})
}

// existingIDs returns which of ids table already has.
func (w *writer) existingIDs(table string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := chunks(ids, func(part []string) error {
		var found []string
		in, arg := inIDs(w.tx, part)
		if err := w.tx.Raw("SELECT id FROM "+quote(table)+" WHERE id "+in, arg).Scan(&found).Error; err != nil {
			return err
		}
		for _, id := range found {
			out[id] = true
		}
		return nil
	})
	return out, err
}

// terms writes the run's taxonomies and terms, before any service.
func (w *writer) terms(tax []models.Taxonomy, terms []models.TaxonomyTerm, recs []models.ImportRecord) error {
	if err := upsert(w, tax, []string{"id"}, true); err != nil {
		return err
	}
	if err := upsert(w, terms, []string{"id"}, true); err != nil {
		return err
	}
	return upsert(w, recs, []string{"first_seen_at"}, false)
}

// batch writes one prepared batch.
func (w *writer) batch(b *batch) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	rs := &b.Rows
	// Which written records exist decides whose children are replaced. It
	// is read here, not when the batch was prepared, because an earlier
	// batch of this run may have written a location this one shares.
	ex := map[string][]string{}
	for _, q := range []struct {
		table string
		ids   []string
	}{{"organizations", idsOf(rs.Organizations)}, {"services", idsOf(rs.Services)}, {"locations", idsOf(rs.Locations)}} {
		have, err := w.existingIDs(q.table, q.ids)
		if err != nil {
			return fmt.Errorf("importer: read %s: %w", q.table, err)
		}
		for _, id := range q.ids {
			if have[id] {
				ex[q.table] = append(ex[q.table], id)
			}
		}
	}
	have := existingRecords{orgs: ex["organizations"], services: ex["services"], locations: ex["locations"]}
	steps := []struct {
		what string
		fn   func() error
	}{
		{"placeholder organisations", func() error { _, err := insert(w, b.Placeholders, conflictIgnore, nil, false); return err }},
		{"organisations", func() error { return upsert(w, rs.Organizations, keepOrganization, true) }},
		{"services", func() error { return upsert(w, rs.Services, keepService, true) }},
		{"locations", func() error { return upsert(w, rs.Locations, keepLocation, true) }},
		{"old children", func() error { return w.deleteChildren(have) }},
		{"children", func() error { return w.children(rs) }},
		{"search index", func() error { return w.reindex(rs, have) }},
		{"import records", func() error { return upsert(w, b.Records, []string{"first_seen_at"}, false) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("importer: write %s: %w", s.what, err)
		}
	}
	return nil
}

// existingRecords are the written records of a batch that existed before
// it: their children are replaced.
type existingRecords struct{ orgs, services, locations []string }

func idsOf[T models.Organization | models.Service | models.Location](rows []T) []string {
	ids := make([]string, len(rows))
	for i := range rows {
		switch x := any(&rows[i]).(type) {
		case *models.Organization:
			ids[i] = x.ID
		case *models.Service:
			ids[i] = x.ID
		case *models.Location:
			ids[i] = x.ID
		}
	}
	return ids
}

// deleteChildren removes the children of written records that existed, as
// WriteRowSet does; their new children replace them. It deletes the
// children of children itself, deepest first, rather than relying on ON
// DELETE CASCADE, because on SQLite an import's connection runs without
// foreign-key enforcement (see inOneTransaction).
func (w *writer) deleteChildren(have existingRecords) error {
	svc, loc := have.services, have.locations
	if len(svc)+len(loc)+len(have.orgs) == 0 {
		return nil
	}
	// The ids of the rows that will go, level by level.
	var sals, contacts, phones []string
	var err error
	collect := func(dst *[]string, table string, by ...struct {
		column string
		ids    []string
	}) {
		for _, b := range by {
			if err != nil || len(b.ids) == 0 {
				continue
			}
			err = chunks(b.ids, func(part []string) error {
				var found []string
				in, arg := inIDs(w.tx, part)
				if err := w.tx.Raw("SELECT id FROM "+quote(table)+" WHERE "+quote(b.column)+" "+in, arg).Scan(&found).Error; err != nil {
					return err
				}
				*dst = append(*dst, found...)
				return nil
			})
		}
	}
	type by = struct {
		column string
		ids    []string
	}
	collect(&sals, "service_at_locations", by{"service_id", svc})
	collect(&contacts, "contacts", by{"service_id", svc}, by{"location_id", loc}, by{"service_at_location_id", sals})
	collect(&phones, "phones", by{"service_id", svc}, by{"location_id", loc}, by{"service_at_location_id", sals}, by{"contact_id", contacts})
	if err != nil {
		return err
	}
	for _, d := range []struct {
		table, column string
		ids           []string
	}{
		{"languages", "phone_id", phones},
		{"languages", "service_id", svc},
		{"languages", "location_id", loc},
		{"phones", "id", uniqStrings(phones)},
		{"contacts", "id", uniqStrings(contacts)},
		{"schedules", "service_id", svc},
		{"schedules", "location_id", loc},
		{"schedules", "service_at_location_id", sals},
		{"service_at_locations", "id", sals},
		{"organization_identifiers", "organization_id", have.orgs},
		{"service_areas", "service_id", svc},
		{"cost_options", "service_id", svc},
		{"fundings", "service_id", svc},
		{"required_documents", "service_id", svc},
		{"addresses", "location_id", loc},
		{"accessibilities", "location_id", loc},
	} {
		if len(d.ids) == 0 {
			continue
		}
		if err := w.execIn("DELETE FROM "+quote(d.table)+" WHERE "+quote(d.column)+" {in}", d.ids); err != nil {
			return err
		}
	}
	if len(svc) > 0 {
		return w.execIn("DELETE FROM attributes WHERE link_entity = ? AND link_id {in}", svc, "service")
	}
	return nil
}

// children inserts the children of a batch, parents before the children
// that refer to them. A child whose id another record already has (another
// source's, or an earlier batch's) gets an id derived from its own and its
// parent's, and the children that refer to it follow it. Finding such ids
// costs nothing when there are none: rows go in with ON CONFLICT DO
// NOTHING, and only a statement that inserted fewer rows than it had is
// looked into.
func (w *writer) children(rs *models.RowSet) error {
	rn := map[string]map[string]string{} // table -> old id -> new id
	remap := func(table string, p **string) {
		if *p == nil {
			return
		}
		if n, ok := rn[table][**p]; ok {
			*p = &n
		}
	}
	var err error
	step := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	step(func() error {
		return insertChildren(w, rn, "organization_identifiers", rs.OrganizationIdentifiers, []string{"organization_id"},
			func(x *models.OrganizationIdentifier) (*string, []*string) {
				return &x.ID, []*string{&x.OrganizationID}
			})
	})
	step(func() error {
		return insertChildren(w, rn, "addresses", rs.Addresses, []string{"location_id"},
			func(x *models.Address) (*string, []*string) { return &x.ID, []*string{&x.LocationID} })
	})
	step(func() error {
		return insertChildren(w, rn, "accessibilities", rs.Accessibilities, []string{"location_id"},
			func(x *models.Accessibility) (*string, []*string) { return &x.ID, []*string{&x.LocationID} })
	})
	step(func() error {
		return insertChildren(w, rn, "service_at_locations", rs.ServiceAtLocations, []string{"service_id"},
			func(x *models.ServiceAtLocation) (*string, []*string) { return &x.ID, []*string{&x.ServiceID} })
	})
	step(func() error {
		for i := range rs.Contacts {
			remap("service_at_locations", &rs.Contacts[i].ServiceAtLocationID)
		}
		return insertChildren(w, rn, "contacts", rs.Contacts, []string{"service_id", "service_at_location_id", "location_id", "organization_id"},
			func(x *models.Contact) (*string, []*string) {
				return &x.ID, []*string{x.ServiceID, x.ServiceAtLocationID, x.LocationID, x.OrganizationID}
			})
	})
	step(func() error {
		for i := range rs.Phones {
			remap("service_at_locations", &rs.Phones[i].ServiceAtLocationID)
			remap("contacts", &rs.Phones[i].ContactID)
		}
		return insertChildren(w, rn, "phones", rs.Phones, []string{"service_id", "service_at_location_id", "location_id", "contact_id", "organization_id"},
			func(x *models.Phone) (*string, []*string) {
				return &x.ID, []*string{x.ServiceID, x.ServiceAtLocationID, x.LocationID, x.ContactID, x.OrganizationID}
			})
	})
	step(func() error {
		for i := range rs.Schedules {
			remap("service_at_locations", &rs.Schedules[i].ServiceAtLocationID)
		}
		return insertChildren(w, rn, "schedules", rs.Schedules, []string{"service_id", "service_at_location_id", "location_id"},
			func(x *models.Schedule) (*string, []*string) {
				return &x.ID, []*string{x.ServiceID, x.ServiceAtLocationID, x.LocationID}
			})
	})
	step(func() error {
		for i := range rs.Languages {
			remap("phones", &rs.Languages[i].PhoneID)
		}
		return insertChildren(w, rn, "languages", rs.Languages, []string{"service_id", "location_id", "phone_id"},
			func(x *models.Language) (*string, []*string) {
				return &x.ID, []*string{x.ServiceID, x.LocationID, x.PhoneID}
			})
	})
	step(func() error {
		return insertChildren(w, rn, "attributes", rs.Attributes, []string{"link_id"},
			func(x *models.Attribute) (*string, []*string) { return &x.ID, []*string{&x.LinkID} })
	})
	step(func() error {
		return insertChildren(w, rn, "service_areas", rs.ServiceAreas, []string{"service_id"},
			func(x *models.ServiceArea) (*string, []*string) { return &x.ID, []*string{&x.ServiceID} })
	})
	step(func() error {
		return insertChildren(w, rn, "cost_options", rs.CostOptions, []string{"service_id"},
			func(x *models.CostOption) (*string, []*string) { return &x.ID, []*string{&x.ServiceID} })
	})
	step(func() error {
		return insertChildren(w, rn, "fundings", rs.Fundings, []string{"service_id", "organization_id"},
			func(x *models.Funding) (*string, []*string) {
				return &x.ID, []*string{x.ServiceID, x.OrganizationID}
			})
	})
	step(func() error {
		return insertChildren(w, rn, "required_documents", rs.RequiredDocuments, []string{"service_id"},
			func(x *models.RequiredDocument) (*string, []*string) { return &x.ID, []*string{&x.ServiceID} })
	})
	return err
}

func ownerOf(ps []*string) string {
	var b strings.Builder
	for _, p := range ps {
		if p != nil {
			b.WriteString(*p)
		}
		b.WriteByte('/')
	}
	return b.String()
}

// insertChildren inserts child rows of one table. Rows whose id repeats an
// earlier row of the batch are dropped (the same record met twice); rows
// whose id another record of the database has get a derived id.
func insertChildren[T any](w *writer, rn map[string]map[string]string, table string, rows []T, ownerCols []string, key func(*T) (*string, []*string)) error {
	if len(rows) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(rows))
	uniq := rows[:0]
	for i := range rows {
		id, _ := key(&rows[i])
		if !seen[*id] {
			seen[*id] = true
			uniq = append(uniq, rows[i])
		}
	}

	missed, err := insert(w, uniq, conflictIgnore, nil, false)
	if err != nil || len(missed) == 0 {
		return err
	}
	// Some rows were not inserted: their ids belong to other records.
	// Which ones is told by the owner the database has for each id.
	ids := make([]string, len(missed))
	for i := range missed {
		id, _ := key(&missed[i])
		ids[i] = *id
	}
	stored := map[string]string{}
	err = chunks(ids, func(part []string) error {
		in, arg := inIDs(w.tx, part)
		cols := "id"
		for _, c := range ownerCols {
			cols += ", " + quote(c)
		}
		res, err := w.tx.Raw("SELECT "+cols+" FROM "+quote(table)+" WHERE id "+in, arg).Rows()
		if err != nil {
			return err
		}
		defer res.Close()
		vals := make([]sql.NullString, len(ownerCols)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for res.Next() {
			if err := res.Scan(ptrs...); err != nil {
				return err
			}
			owner := make([]*string, len(ownerCols))
			for i := range ownerCols {
				if vals[i+1].Valid {
					owner[i] = &vals[i+1].String
				}
			}
			stored[vals[0].String] = ownerOf(owner)
		}
		return res.Err()
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	var retry []T
	for i := range missed {
		id, owner := key(&missed[i])
		if got, ok := stored[*id]; !ok || got == ownerOf(owner) {
			continue // inserted after all, or this very row
		}
		old := *id
		*id = models.NormaliseID(w.source, "collision:"+table+":"+old+":"+ownerOf(owner))
		if rn[table] == nil {
			rn[table] = map[string]string{}
		}
		rn[table][old] = *id
		w.rep.Problems = append(w.rep.Problems, Problem{RecordType: singular(table), RecordID: old, Field: "id",
			Reason: "another record here already has this id; stored as " + *id, Action: Fixed})
		retry = append(retry, missed[i])
	}
	_, err = insert(w, retry, conflictFail, nil, false)
	return err
}

// reindex rebuilds the search entries of the batch's services, and of every
// service of an organisation whose name may have changed.
func (w *writer) reindex(rs *models.RowSet, have existingRecords) error {
	ids := idsOf(rs.Services)
	err := chunks(have.orgs, func(part []string) error {
		var more []string
		in, arg := inIDs(w.tx, part)
		if err := w.tx.Raw("SELECT id FROM services WHERE organization_id "+in, arg).Scan(&more).Error; err != nil {
			return err
		}
		ids = append(ids, more...)
		return nil
	})
	if err != nil {
		return err
	}
	return models.ReindexServices(w.ctx, w.tx, uniqStrings(ids))
}

// seen records that the source still has the unchanged records: only
// last_seen_at moves.
func (w *writer) seen(services, orgs []string) error {
	for _, u := range []struct {
		table, recType string
		ids            []string
	}{{"services", recordService, services}, {"organizations", recordOrganization, orgs}} {
		if len(u.ids) == 0 {
			continue
		}
		if err := w.execIn("UPDATE "+u.table+" SET last_seen_at = ? WHERE id {in}", u.ids, w.now); err != nil {
			return fmt.Errorf("importer: mark %s seen: %w", u.table, err)
		}
		if err := w.execIn("UPDATE import_records SET last_seen_at = ? WHERE source = ? AND record_type = ? AND record_id {in}",
			u.ids, w.now, w.source, u.recType); err != nil {
			return fmt.Errorf("importer: mark %s seen: %w", u.table, err)
		}
	}
	return nil
}

// parents links organisations to their parents, now that every
// organisation of the run exists; a parent that does not is reported.
func (w *writer) parents(links []orgParent) error {
	if len(links) == 0 {
		return nil
	}
	var ids []string
	for _, l := range links {
		ids = append(ids, l.parent)
	}
	have, err := w.existingIDs("organizations", uniqStrings(ids))
	if err != nil {
		return fmt.Errorf("importer: link parent organisations: %w", err)
	}
	for _, l := range links {
		if !have[l.parent] {
			w.rep.Problems = append(w.rep.Problems, Problem{RecordType: recordOrganization, RecordID: l.rawID,
				Field: "parent_organization_id", Reason: fmt.Sprintf("parent organisation %q is not in the source", l.rawParent), Action: Dropped})
			continue
		}
		err := w.tx.Exec(`UPDATE organizations SET parent_organization_id = ? WHERE id = ? AND source = ?
			AND (parent_organization_id IS NULL OR parent_organization_id <> ?)`, l.parent, l.id, w.source, l.parent).Error
		if err != nil {
			return fmt.Errorf("importer: link parent organisations: %w", err)
		}
	}
	return nil
}

// locationOrgs links locations to organisations that were written after
// them in this run. Only this source's locations are changed, and only
// when the link differs, so an unchanged location is left alone.
func (w *writer) locationOrgs(links []locationOrg) error {
	// One statement per organisation, not per location.
	byOrg := map[string][]string{}
	var orgs []string
	for _, l := range links {
		if byOrg[l.org] == nil {
			orgs = append(orgs, l.org)
		}
		byOrg[l.org] = append(byOrg[l.org], l.loc)
	}
	for _, org := range orgs {
		err := w.execIn(`UPDATE locations SET organization_id = ? WHERE source = ?
			AND (organization_id IS NULL OR organization_id <> ?) AND id {in}`, byOrg[org], org, w.source, org)
		if err != nil {
			return fmt.Errorf("importer: link locations to organisations: %w", err)
		}
	}
	return nil
}

// vanishedHash is the content hash recorded for a service marked inactive
// because it vanished from its feed: if it comes back, it differs from any
// real hash, so the service is rewritten (and active again) rather than
// called unchanged.
const vanishedHash = "vanished"

// markVanished marks inactive the services of this source that the run did
// not see (their last_seen_at is older than the run), after a full read of
// a feed: nothing published is deleted, and consumers following
// modified_after learn of the closure. Left alone: services already
// inactive or defunct, and services edited on this platform since the feed
// last changed them (the rule that protects local edits). The import
// records move with them, so the edit rule does not then mistake the
// change for a local edit.
func (w *writer) markVanished(rep *Report) error {
	var ids []string
	err := w.tx.Raw(`SELECT s.id FROM services s JOIN import_records r
		ON r.source = s.source AND r.record_type = ? AND r.record_id = s.id
		WHERE s.source = ? AND s.last_seen_at < ? AND s.status IN (?, ?) AND s.last_modified <= r.last_changed_at
		ORDER BY s.id`, recordService, w.source, w.now, hsds.StatusActive, hsds.StatusTemporarilyClosed).Scan(&ids).Error
	if err != nil {
		return fmt.Errorf("importer: find vanished services: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	if rep.Services.Read == 0 {
		// A feed that suddenly lists nothing is more likely broken than
		// empty: closing every service on its word would be a disaster.
		rep.Problems = append(rep.Problems, Problem{RecordType: recordService,
			Reason: fmt.Sprintf("the feed listed no services; %d services it had before were left as they are", len(ids)), Action: Skipped})
		return nil
	}
	if err := w.execIn("UPDATE services SET status = ?, last_modified = ? WHERE id {in}", ids, hsds.StatusInactive, w.now); err != nil {
		return fmt.Errorf("importer: mark vanished services inactive: %w", err)
	}
	if err := w.execIn("UPDATE import_records SET content_hash = ?, last_changed_at = ? WHERE source = ? AND record_type = ? AND record_id {in}",
		ids, vanishedHash, w.now, w.source, recordService); err != nil {
		return fmt.Errorf("importer: mark vanished services inactive: %w", err)
	}
	rep.Services.MarkedInactive = len(ids)
	return nil
}

// singular names one record of a table, for reports.
func singular(table string) string {
	switch {
	case strings.HasSuffix(table, "ies"):
		return strings.TrimSuffix(table, "ies") + "y"
	case strings.HasSuffix(table, "sses"):
		return strings.TrimSuffix(table, "es")
	default:
		return strings.TrimSuffix(table, "s")
	}
}
