package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// searchDoc is the text of one service that the full-text index holds.
type searchDoc struct {
	ServiceID    string
	Name         string
	Description  string
	Organization string
	Terms        string
}

// ReindexServices rebuilds the full-text entries of the given services from
// their name, description, organisation and taxonomy terms. Callers run it in
// the transaction that changed any of those.
func ReindexServices(ctx context.Context, tx *gorm.DB, ids []string) error {
	tx = tx.WithContext(ctx)
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		docs, err := searchDocs(tx, chunk)
		if err != nil {
			return fmt.Errorf("models: reindex services: %w", err)
		}
		if DialectFor(tx) == Postgres {
			err = reindexPostgres(tx, chunk, docs)
		} else {
			err = reindexSQLite(tx, chunk, docs)
		}
		if err != nil {
			return fmt.Errorf("models: reindex services: %w", err)
		}
	}
	return nil
}

func searchDocs(tx *gorm.DB, ids []string) ([]searchDoc, error) {
	var rows []struct {
		ID, Name, AlternateName, Description, OrgName string
	}
	err := tx.Table("services s").
		Select("s.id, s.name, s.alternate_name, s.description, o.name AS org_name").
		Joins("JOIN organizations o ON o.id = s.organization_id").
		Where("s.id IN ?", ids).Order("s.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var terms []struct{ LinkID, Name string }
	err = tx.Table("attributes a").Select("a.link_id, t.name").
		Joins("JOIN taxonomy_terms t ON t.id = a.taxonomy_term_id").
		Where("a.link_entity = ? AND a.link_id IN ?", "service", ids).
		Order("a.link_id, t.name").Scan(&terms).Error
	if err != nil {
		return nil, err
	}
	termsBy := map[string][]string{}
	for _, t := range terms {
		termsBy[t.LinkID] = append(termsBy[t.LinkID], t.Name)
	}
	docs := make([]searchDoc, len(rows))
	for i, r := range rows {
		name := r.Name
		if r.AlternateName != "" {
			name += " " + r.AlternateName
		}
		docs[i] = searchDoc{ServiceID: r.ID, Name: name, Description: StripTags(r.Description),
			Organization: r.OrgName, Terms: strings.Join(termsBy[r.ID], " ")}
	}
	return docs, nil
}

// StripTags drops markup from text that may carry HTML (imported
// descriptions): the index must not hold tag names as words, and pages show
// descriptions as text, never as HTML.
func StripTags(s string) string {
	if !strings.ContainsRune(s, '<') {
		return s
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func reindexSQLite(tx *gorm.DB, ids []string, docs []searchDoc) error {
	if err := tx.Exec(`DELETE FROM service_search WHERE rowid IN
		(SELECT rowid FROM service_search_rows WHERE service_id IN ?)`, ids).Error; err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM service_search_rows WHERE service_id IN ?`, ids).Error; err != nil {
		return err
	}
	for start := 0; start < len(docs); start += batchSize {
		batch := docs[start:min(start+batchSize, len(docs))]
		var rowSQL, ftsSQL strings.Builder
		rowArgs := make([]any, 0, len(batch))
		ftsArgs := make([]any, 0, len(batch)*5)
		rowSQL.WriteString("INSERT INTO service_search_rows (service_id) VALUES ")
		ftsSQL.WriteString(`INSERT INTO service_search (rowid, name, description, organization, terms) VALUES `)
		for i, d := range batch {
			if i > 0 {
				rowSQL.WriteString(", ")
				ftsSQL.WriteString(", ")
			}
			rowSQL.WriteString("(?)")
			rowArgs = append(rowArgs, d.ServiceID)
			ftsSQL.WriteString("((SELECT rowid FROM service_search_rows WHERE service_id = ?), ?, ?, ?, ?)")
			ftsArgs = append(ftsArgs, d.ServiceID, d.Name, d.Description, d.Organization, d.Terms)
		}
		if err := tx.Exec(rowSQL.String(), rowArgs...).Error; err != nil {
			return err
		}
		if err := tx.Exec(ftsSQL.String(), ftsArgs...).Error; err != nil {
			return err
		}
	}
	return nil
}

func reindexPostgres(tx *gorm.DB, _ []string, docs []searchDoc) error {
	for start := 0; start < len(docs); start += batchSize {
		batch := docs[start:min(start+batchSize, len(docs))]
		var sql strings.Builder
		args := make([]any, 0, len(batch)*5)
		sql.WriteString("INSERT INTO service_search (service_id, document) VALUES ")
		for i, d := range batch {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString(`(?, setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('english', ?), 'B')
				|| setweight(to_tsvector('english', ?), 'B') || setweight(to_tsvector('english', ?), 'C'))`)
			args = append(args, d.ServiceID, d.Name, d.Organization, d.Terms, d.Description)
		}
		sql.WriteString(" ON CONFLICT (service_id) DO UPDATE SET document = EXCLUDED.document")
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// stopWords are the Snowball English stop words, which PostgreSQL's english
// configuration drops. Dropping them here on both databases makes the same
// search find the same services on SQLite and PostgreSQL.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself yourselves he him his
		himself she her hers herself it its itself they them their theirs themselves what which who whom this that these
		those am is are was were be been being have has had having do does did doing a an the and but if or because as
		until while of at by for with about against between into through during before after above below to from up down
		in out on off over under again further then once here there when where why how all any both each few more most
		other some such no nor not only own same so than too very s t can will just don should now`) {
		m[w] = true
	}
	return m
}()

// searchTokens splits free text into words of letters and digits, leaving
// out stop words. Only these reach a full-text query, so no user input is
// ever parsed as query syntax.
func searchTokens(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := words[:0]
	for _, w := range words {
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	if len(out) > 12 {
		out = out[:12]
	}
	return out
}

// ftsQuery builds the dialect's full-text query: every word must match,
// each as a prefix so that results follow what someone is typing.
func ftsQuery(d Dialect, words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		if d == Postgres {
			parts[i] = w + ":*"
		} else {
			parts[i] = `"` + w + `"*`
		}
	}
	if d == Postgres {
		return strings.Join(parts, " & ")
	}
	return strings.Join(parts, " ")
}

// ServiceQuery selects a page of services. Filters combine with AND.
type ServiceQuery struct {
	Text     string
	Page     int // from 1
	PerPage  int
	Audience Audience
	// TaxonomyTermID keeps services linked to this term.
	TaxonomyTermID string
	// TaxonomyID keeps services linked to any term of this taxonomy.
	TaxonomyID string
	// OrganizationID keeps the services of one organisation.
	OrganizationID string
	// ModifiedAfter keeps services modified at or after this time.
	ModifiedAfter time.Time
	// ByID orders by id (after rank, when there is text): the order API
	// consumers page through, stable while names change. Otherwise services
	// are ordered by name.
	ByID bool
	// AfterID keeps services whose id sorts after it, for walking every
	// match in id order (keyset paging) without OFFSET.
	AfterID string
	// AcceptsReferrals keeps services that take referrals here.
	AcceptsReferrals bool
	// TermOrChildren keeps services linked to this term or to any term
	// directly below it, as a category filter people expect to work.
	TermOrChildren string
	// Age keeps services whose age range includes it; a service without an
	// age limit is for any age.
	Age *int
	// OpenOn keeps services with a weekly schedule on this day (MO to SU),
	// on the service, at one of its locations, or of a location itself.
	OpenOn string
	// FreeOnly keeps services with no priced cost option whose fees, if
	// described, say free.
	FreeOnly bool
}

// Days are the iCalendar day codes OpenOn takes, Monday first.
var Days = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// SearchServices returns a page of fully nested services that match a query,
// best match first (or in the query's order without text), and how many
// match in all.
func SearchServices(ctx context.Context, db *gorm.DB, q ServiceQuery) ([]ServiceRecord, int, error) {
	ids, total, err := SearchServiceIDs(ctx, db, q)
	if err != nil {
		return nil, 0, err
	}
	recs, err := LoadServices(ctx, db, ids, q.Audience)
	if err != nil {
		return nil, 0, err
	}
	return recs, total, nil
}

// filterServices applies a query's filters to a query over services and
// returns it with the ORDER BY terms that rank text matches ("" without
// text); callers add their own tiebreak.
func filterServices(db *gorm.DB, q ServiceQuery) (*gorm.DB, string) {
	dialect := DialectFor(db)
	base := visibleServices(db, q.Audience)
	if q.TaxonomyTermID != "" {
		base = base.Where("services.id IN (SELECT link_id FROM attributes WHERE link_entity = 'service' AND taxonomy_term_id = ?)", q.TaxonomyTermID)
	}
	if q.TaxonomyID != "" {
		base = base.Where(`services.id IN (SELECT a.link_id FROM attributes a JOIN taxonomy_terms t ON t.id = a.taxonomy_term_id
			WHERE a.link_entity = 'service' AND t.taxonomy_id = ?)`, q.TaxonomyID)
	}
	if q.OrganizationID != "" {
		base = base.Where("services.organization_id = ?", q.OrganizationID)
	}
	if !q.ModifiedAfter.IsZero() {
		base = base.Where("services.last_modified >= ?", q.ModifiedAfter.UTC())
	}
	if q.AfterID != "" {
		base = base.Where("services.id > ?", q.AfterID)
	}
	if q.TermOrChildren != "" {
		base = base.Where(`services.id IN (SELECT a.link_id FROM attributes a JOIN taxonomy_terms t ON t.id = a.taxonomy_term_id
			WHERE a.link_entity = 'service' AND (t.id = ? OR t.parent_id = ?))`, q.TermOrChildren, q.TermOrChildren)
	}
	if q.AcceptsReferrals {
		base = base.Where("services.accepts_referrals = ?", true)
	}
	if q.Age != nil {
		base = base.Where("(services.minimum_age IS NULL OR services.minimum_age <= ?) AND (services.maximum_age IS NULL OR services.maximum_age >= ?)",
			*q.Age, *q.Age)
	}
	if slices.Contains(Days, q.OpenOn) {
		day := "%" + q.OpenOn + "%"
		base = base.Where(`services.id IN (SELECT service_id FROM schedules WHERE service_id IS NOT NULL AND UPPER(byday) LIKE ?)
			OR services.id IN (SELECT sal.service_id FROM service_at_locations sal JOIN schedules sc ON sc.service_at_location_id = sal.id WHERE UPPER(sc.byday) LIKE ?)
			OR services.id IN (SELECT sal.service_id FROM service_at_locations sal JOIN schedules sc ON sc.location_id = sal.location_id WHERE UPPER(sc.byday) LIKE ?)`,
			day, day, day)
	}
	if q.FreeOnly {
		base = base.Where(`NOT EXISTS (SELECT 1 FROM cost_options c WHERE c.service_id = services.id AND c.amount > 0)
			AND (services.fees_description = '' OR LOWER(services.fees_description) LIKE '%free%')`)
	}
	rank := ""
	if words := searchTokens(q.Text); len(words) > 0 {
		match := ftsQuery(dialect, words)
		if dialect == Postgres {
			base = base.Joins("JOIN service_search ON service_search.service_id = services.id").
				Where("service_search.document @@ to_tsquery('english', ?)", match)
			// match holds only letters, digits and query operators (see
			// searchTokens), so it is safe inside the ORDER BY.
			rank = "ts_rank_cd(service_search.document, to_tsquery('english', '" +
				strings.ReplaceAll(match, "'", "") + "')) DESC"
		} else {
			base = base.Joins("JOIN service_search_rows ON service_search_rows.service_id = services.id").
				Joins("JOIN service_search ON service_search.rowid = service_search_rows.rowid").
				Where("service_search MATCH ?", match)
			rank = "bm25(service_search, 10.0, 2.0, 5.0, 4.0)"
		}
	}
	return base, rank
}

// orderBy joins ORDER BY terms, skipping empty ones.
func orderBy(terms ...string) string {
	var out []string
	for _, t := range terms {
		if t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

// SearchServiceIDs returns the ids of a page of services that match a query
// in rank order, and how many match in all.
func SearchServiceIDs(ctx context.Context, db *gorm.DB, q ServiceQuery) ([]string, int, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = 20
	}
	base, rank := filterServices(db.WithContext(ctx), q)
	order := orderBy(rank, "services.name", "services.id")
	if q.ByID {
		order = orderBy(rank, "services.id")
	}
	if rank != "" && DialectFor(db) == SQLite {
		// FTS5 refuses bm25 under a window function, and counting apart
		// would match and join every result twice: read every match's id
		// in rank order once, and page in memory.
		var all []string
		if err := base.Session(&gorm.Session{}).Order(order).Pluck("services.id", &all).Error; err != nil {
			return nil, 0, fmt.Errorf("models: search services: %w", err)
		}
		from := min((q.Page-1)*q.PerPage, len(all))
		return all[from:min(from+q.PerPage, len(all))], len(all), nil
	}
	var rows []idWithTotal
	err := base.Session(&gorm.Session{}).Select("services.id AS id, " + windowTotal(db, rank, false)).Order(order).
		Limit(q.PerPage).Offset((q.Page - 1) * q.PerPage).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("models: search services: %w", err)
	}
	total, err := totalOf(rows, q.Page, base)
	if err != nil {
		return nil, 0, fmt.Errorf("models: count services: %w", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, total, nil
}

// idWithTotal is a row of a page query that also counts every match with
// COUNT(*) OVER (), which finds the page and the total in one pass instead
// of two.
type idWithTotal struct {
	ID    string
	Total int64
	Dist2 *float64
}

// windowTotal is the select expression that counts every match alongside
// the page, when the query must visit every match anyway (to rank or to
// sort by distance): then one pass finds both. A page in id order stops
// after its rows, so it is counted apart, from an index (-1 here tells
// totalOf to count). So is a ranked SQLite search: FTS5 refuses its ranking
// function under a window function.
func windowTotal(db *gorm.DB, rank string, sortsAll bool) string {
	switch {
	case rank != "" && DialectFor(db) == SQLite:
		return "-1 AS total"
	case rank != "" || sortsAll:
		return "COUNT(*) OVER () AS total"
	}
	return "-1 AS total"
}

// totalOf reads the total from a page's rows, or counts when the rows do
// not carry it (a page past the end, or a ranked SQLite search).
func totalOf(rows []idWithTotal, page int, base *gorm.DB) (int, error) {
	if len(rows) > 0 && rows[0].Total >= 0 {
		return int(rows[0].Total), nil
	}
	if len(rows) == 0 && page <= 1 {
		return 0, nil
	}
	var n int64
	err := base.Session(&gorm.Session{}).Count(&n).Error
	return int(n), err
}
