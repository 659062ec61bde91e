package importer

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/hsds"
)

// hashVersion is mixed into every content hash. Change it when cleaning or
// flattening changes what a record becomes, so that the next run rewrites
// every record instead of calling them unchanged.
const hashVersion = "import/1"

// placeholderHash is the content hash recorded for a placeholder
// organisation, so that later runs still report the missing organisation.
const placeholderHash = "placeholder"

// unknownOrganization is the source id of the placeholder organisation of
// services whose source names no organisation at all.
const unknownOrganization = "organization:unknown"

// decision is what a run does with one record.
type decision int

const (
	decCreate decision = iota + 1
	decUpdate
	decUnchanged
	decProtected
)

// orgState is what the run knows of an organisation id so far.
type orgState int

const (
	orgWritten orgState = iota + 1
	orgKept             // exists and is not written by this run (unchanged or protected)
	orgPlaceholder
)

type existing struct {
	source       string
	lastModified time.Time
}

type record struct {
	hash          string
	firstSeen     time.Time
	lastChangedAt time.Time
}

// preparer validates, checks and flattens services in batches outside the
// write transaction, deciding for each record whether it is created,
// updated, unchanged or skipped. Its memory is one batch plus a set of ids
// (services, organisations and locations seen) and the taxonomy terms.
type preparer struct {
	ctx    context.Context
	db     *gorm.DB
	source string
	now    time.Time
	rep    *Report
	clean  *cleaner
	spill  *spill // nil on a dry run
	size   int

	pending      []*hsds.Service
	pendingWhere []string

	services  map[string]bool // normalised ids of services read
	orgs      map[string]orgState
	locations map[string]bool // normalised ids of locations written or known to exist

	terms      map[string]*termEntry // normalised id -> term
	termOrder  []string
	taxonomies map[string]hsds.Taxonomy

	unchangedServices []string // and others of this source seen but not written
	unchangedOrgs     []string
	orgParents        []orgParent
	locationOrgs      []locationOrg
	written           int
}

// locationOrg is a location's link to an organisation that was not known
// when the location's batch was prepared: the organisation may come in a
// later batch (its services come later in the input). The location is
// written without it and linked at the end of the write, or the link is
// dropped and reported if the organisation never came.
type locationOrg struct{ loc, org, rawOrg, service, field, where string }

// orgParent is an organisation's link to its parent, made at the end of the
// write when every organisation of the run exists.
type orgParent struct{ id, parent, rawID, rawParent string }

type termEntry struct {
	term hsds.TaxonomyTerm
}

func newPreparer(ctx context.Context, db *gorm.DB, source string, now time.Time, rep *Report, sp *spill, size int) *preparer {
	return &preparer{ctx: ctx, db: db.WithContext(ctx), source: source, now: now, rep: rep, clean: newCleaner(now),
		spill: sp, size: size, services: map[string]bool{}, orgs: map[string]orgState{}, locations: map[string]bool{},
		terms: map[string]*termEntry{}, taxonomies: map[string]hsds.Taxonomy{}}
}

// id applies the id rule (models.NormaliseID), with a fast path for the
// common case of an id that is already a lower-case UUID.
func (p *preparer) id(raw string) string {
	if isLowerUUID(raw) {
		return raw
	}
	return models.NormaliseID(p.source, raw)
}

// isLowerUUID reports whether s is an 8-4-4-4-12 string of lower-case hex
// digits, which NormaliseID returns unchanged.
func isLowerUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

func (p *preparer) report(pr Problem, where string) {
	if pr.Where == "" {
		pr.Where = where
	}
	p.rep.Problems = append(p.rep.Problems, pr)
}

func (p *preparer) reject(recType, id, where, field, reason string) {
	p.report(Problem{RecordType: recType, RecordID: id, Field: field, Reason: reason, Action: Skipped}, where)
	p.rep.counts(recType).Skipped++
	p.rep.Rejected++
}

// cleaned is an item after cleaning: what the preparer needs of it.
type cleaned struct {
	it       Item
	ok       bool
	problems []Problem
	terms    []hsds.TaxonomyTerm
}

// cleanItem cleans one item. It touches nothing shared, so it runs beside
// the preparer, on the goroutine that reads the source.
func cleanItem(c *cleaner, it Item) cleaned {
	out := cleaned{it: it}
	for _, t := range it.Terms {
		c.recType, c.recID = recordTerm, t.ID
		c.problems = c.problems[:0]
		if c.term("", &t) {
			out.terms = append(out.terms, t)
		}
	}
	if it.Service == nil {
		return out
	}
	c.problems = c.problems[:0]
	out.ok = c.Service(it.Service)
	out.problems = slices.Clone(c.problems)
	return out
}

// add takes one cleaned item from a source.
func (p *preparer) add(ci cleaned) error {
	it := ci.it
	p.rep.Services.Read++
	for _, pr := range it.Problems {
		p.report(pr, it.Where)
	}
	for _, t := range ci.terms {
		p.addTerm(p.id(t.ID), t)
	}
	if it.Service == nil {
		if it.SourceID != "" {
			// Listed but unreadable: still in the source, so a full
			// harvest does not take it for vanished.
			p.unchangedServices = append(p.unchangedServices, p.id(it.SourceID))
		}
		p.rep.Services.Skipped++
		p.rep.Rejected++
		skippedReported := slices.ContainsFunc(it.Problems, func(pr Problem) bool { return pr.Action == Skipped })
		if !skippedReported {
			p.report(Problem{RecordType: recordService, RecordID: it.SourceID, Reason: "could not be read", Action: Skipped}, it.Where)
		}
		return nil
	}
	s := it.Service
	for _, pr := range ci.problems {
		p.report(pr, it.Where)
	}
	if !ci.ok {
		if s.ID != "" {
			p.unchangedServices = append(p.unchangedServices, p.id(s.ID))
		}
		p.rep.Services.Skipped++
		p.rep.Rejected++
		return nil
	}
	id := p.id(s.ID)
	if p.services[id] {
		p.reject(recordService, s.ID, it.Where, "id", "the same service appears earlier in the input; this copy is ignored")
		return nil
	}
	p.services[id] = true
	p.pending = append(p.pending, s)
	p.pendingWhere = append(p.pendingWhere, it.Where)
	if len(p.pending) >= p.size {
		return p.flush()
	}
	return nil
}

// hashOf returns a stable hash of a value's JSON.
func hashOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("importer: hash: %v", err)) // HSDS types always marshal
	}
	h := sha256.New()
	h.Write([]byte(hashVersion))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// serviceHash hashes a service as it will be written, without its
// organisation and taxonomy terms, which are records of their own.
func serviceHash(s *hsds.Service) string {
	c := *s
	c.Organization = nil
	c.Attributes = slices.Clone(s.Attributes)
	for i := range c.Attributes {
		c.Attributes[i].TaxonomyTerm = nil
	}
	return hashOf(&c)
}

// flush decides and prepares the pending batch.
func (p *preparer) flush() error {
	if len(p.pending) == 0 {
		return nil
	}
	svcs, wheres := p.pending, p.pendingWhere
	p.pending, p.pendingWhere = nil, nil
	if err := p.ctx.Err(); err != nil {
		return err
	}
	p.dedupChildren(svcs, wheres)

	// Everything this batch asks of the database, in a few queries.
	var svcIDs, orgIDs, locIDs, termIDs []string
	for _, s := range svcs {
		svcIDs = append(svcIDs, p.id(s.ID))
		if s.Organization != nil {
			if s.Organization.ID == "" {
				// The flattener's rule for an organisation without an id.
				s.Organization.ID = "org:" + s.Organization.Name
			}
			s.OrganizationID = s.Organization.ID
		}
		if s.OrganizationID == "" {
			s.OrganizationID = unknownOrganization
		}
		if _, seen := p.orgs[p.id(s.OrganizationID)]; !seen || s.Organization != nil {
			orgIDs = append(orgIDs, p.id(s.OrganizationID))
		}
		for _, sal := range s.ServiceAtLocations {
			locIDs = append(locIDs, p.id(sal.LocationID))
			if l := sal.Location; l != nil && l.OrganizationID != "" {
				orgIDs = append(orgIDs, p.id(l.OrganizationID))
			}
		}
		for _, a := range s.Attributes {
			if a.TaxonomyTerm == nil {
				termIDs = append(termIDs, p.id(a.TaxonomyTermID))
			}
		}
	}
	exServices, err := p.probe("services", svcIDs, true)
	if err != nil {
		return err
	}
	exOrgs, err := p.probe("organizations", orgIDs, true)
	if err != nil {
		return err
	}
	exLocs, err := p.probe("locations", locIDs, false)
	if err != nil {
		return err
	}
	exTerms, err := p.probe("taxonomy_terms", termIDs, false)
	if err != nil {
		return err
	}
	recs, err := p.records([]string{recordService, recordOrganization}, append(slices.Clone(svcIDs), orgIDs...))
	if err != nil {
		return err
	}

	b := &batch{}
	deferred := map[string]string{} // location id -> organisation id linked at the end
	var write []hsds.Service
	var orgs []hsds.Organization
	// A location may belong to an organisation whose own services come
	// later in the batch: know them all before checking locations.
	batchOrgs := map[string]bool{}
	for _, s := range svcs {
		if s.Organization != nil {
			batchOrgs[p.id(s.OrganizationID)] = true
		}
	}
	for i, s := range svcs {
		where := wheres[i]
		id := svcIDs[i]
		orgID := p.id(s.OrganizationID)
		p.clean.recType, p.clean.recID = recordService, s.ID
		p.clean.problems = p.clean.problems[:0]

		// The organisation: decided once per run.
		orgWrite, linkParent := false, false
		if st, seen := p.orgs[orgID]; s.Organization != nil && (!seen || st == orgPlaceholder) {
			o := s.Organization
			p.rep.Organizations.Read++
			orgHash := hashOf(o)
			switch d, why := p.decide(recordOrganization, orgID, orgHash, exOrgs, recs); d {
			case decProtected:
				p.report(Problem{RecordType: recordOrganization, RecordID: o.ID, Reason: why, Action: Skipped}, where)
				p.rep.Organizations.Skipped++
				p.orgs[orgID] = orgKept
			case decUnchanged:
				p.rep.Organizations.Unchanged++
				p.unchangedOrgs = append(p.unchangedOrgs, orgID)
				p.orgs[orgID] = orgKept
				linkParent = true
			default:
				orgWrite = true
				p.orgs[orgID] = orgWritten
				if d == decCreate {
					p.rep.Organizations.Created++
				} else {
					p.rep.Organizations.Updated++
				}
				b.Records = append(b.Records, p.importRecord(recordOrganization, orgID, o.ID, orgHash, recs))
			}
			if o.ParentOrganizationID != "" && (orgWrite || linkParent) {
				p.orgParents = append(p.orgParents, orgParent{id: orgID, parent: p.id(o.ParentOrganizationID),
					rawID: o.ID, rawParent: o.ParentOrganizationID})
			}
		} else if !seen {
			_, inDB := exOrgs[orgID]
			r, isRecord := recs[recordOrganization+"/"+orgID]
			switch {
			case inDB && (!isRecord || r.hash != placeholderHash):
				p.orgs[orgID] = orgKept
			default:
				p.orgs[orgID] = orgPlaceholder
				if !inDB {
					b.Placeholders = append(b.Placeholders, models.Organization{ID: orgID, Name: PlaceholderOrganizationName,
						Provenance:   models.Provenance{Source: p.source, SourceRecordID: s.OrganizationID, FirstSeenAt: p.now, LastSeenAt: p.now},
						LastModified: p.now})
					b.Records = append(b.Records, p.importRecord(recordOrganization, orgID, s.OrganizationID, placeholderHash, recs))
				}
			}
		}
		if p.orgs[orgID] == orgPlaceholder {
			reason := fmt.Sprintf("organisation %q is not in the source; the service is attached to a placeholder named %q", s.OrganizationID, PlaceholderOrganizationName)
			if s.OrganizationID == unknownOrganization {
				reason = fmt.Sprintf("no organisation; the service is attached to a placeholder named %q", PlaceholderOrganizationName)
			}
			p.clean.problem("organization_id", reason, Defaulted)
		}
		if orgWrite {
			orgs = append(orgs, *s.Organization)
		}
		// The organisation is a record of its own, written once.
		s.Organization = nil

		// References that must resolve: locations by id, and the
		// organisation of each location.
		sals := s.ServiceAtLocations[:0]
		for j, sal := range s.ServiceAtLocations {
			path := "service_at_locations[" + strconv.Itoa(j) + "]"
			lid := p.id(sal.LocationID)
			if sal.Location == nil {
				if _, ok := exLocs[lid]; !ok && !p.locations[lid] {
					p.clean.problem(path+".location_id", fmt.Sprintf("location %q is not in the source", sal.LocationID), Dropped)
					continue
				}
			} else if l := sal.Location; l.OrganizationID != "" {
				lo := p.id(l.OrganizationID)
				if _, ok := exOrgs[lo]; !ok && p.orgs[lo] == 0 && !batchOrgs[lo] {
					// Not known yet: it may come with a later batch's
					// services. Decided when the whole input has been read.
					lid := p.id(cmp.Or(l.ID, sal.LocationID))
					if _, dup := deferred[lid]; !dup {
						deferred[lid] = lo
						p.locationOrgs = append(p.locationOrgs, locationOrg{loc: lid, org: lo, rawOrg: l.OrganizationID,
							service: s.ID, field: path + ".location.organization_id", where: where})
					}
				}
			}
			sals = append(sals, sal)
		}
		s.ServiceAtLocations = sals

		// Taxonomy terms are records of their own, written before services.
		attrs := s.Attributes[:0]
		for j, a := range s.Attributes {
			tid := p.id(a.TaxonomyTermID)
			if a.TaxonomyTerm != nil {
				p.addTerm(tid, *a.TaxonomyTerm)
			} else if _, ok := exTerms[tid]; !ok && p.terms[tid] == nil {
				p.clean.problem("attributes["+strconv.Itoa(j)+"].taxonomy_term_id",
					fmt.Sprintf("taxonomy term %q is not in the source", a.TaxonomyTermID), Dropped)
				continue
			}
			attrs = append(attrs, a)
		}
		s.Attributes = attrs
		for _, pr := range p.clean.problems {
			p.report(pr, where)
		}

		hash := serviceHash(s)
		d, why := p.decide(recordService, id, hash, exServices, recs)
		switch d {
		case decProtected:
			p.report(Problem{RecordType: recordService, RecordID: s.ID, Reason: why, Action: Skipped}, where)
			p.rep.Services.Skipped++
			if ex := exServices[id]; ex.source == p.source {
				// Edited here, but the source still has it: seen.
				p.unchangedServices = append(p.unchangedServices, id)
			}
			continue
		case decUnchanged:
			p.rep.Services.Unchanged++
			p.unchangedServices = append(p.unchangedServices, id)
			continue
		case decCreate:
			p.rep.Services.Created++
		case decUpdate:
			p.rep.Services.Updated++
		}
		b.Records = append(b.Records, p.importRecord(recordService, id, s.ID, hash, recs))
		write = append(write, *s)
	}
	if p.spill == nil || len(write) == 0 && len(orgs) == 0 && len(b.Placeholders) == 0 {
		p.markLocations(write, exLocs)
		return nil
	}
	return p.flatten(b, write, orgs, exLocs, deferred)
}

// resolveLocationOrgs decides, once every batch is prepared, the location
// links to organisations that were not known when their batch was: a link
// to an organisation the run met is kept, to be made at the end of the
// write; any other is dropped and reported.
func (p *preparer) resolveLocationOrgs() []locationOrg {
	var keep []locationOrg
	for _, lo := range p.locationOrgs {
		if p.orgs[lo.org] != 0 {
			keep = append(keep, lo)
			continue
		}
		p.report(Problem{RecordType: recordService, RecordID: lo.service, Field: lo.field,
			Reason: fmt.Sprintf("organisation %q is not in the source", lo.rawOrg), Action: Dropped}, lo.where)
	}
	p.locationOrgs = nil
	return keep
}

// markLocations remembers the locations that exist once this batch is
// written, so that later batches may refer to them by id.
func (p *preparer) markLocations(write []hsds.Service, exLocs map[string]existing) {
	for id := range exLocs {
		p.locations[id] = true
	}
	for _, s := range write {
		for _, sal := range s.ServiceAtLocations {
			if sal.Location != nil {
				p.locations[p.id(sal.LocationID)] = true
			}
		}
	}
}

// flatten turns the services and organisations to write into rows and
// spills them.
func (p *preparer) flatten(b *batch, write []hsds.Service, orgs []hsds.Organization, exLocs map[string]existing, deferred map[string]string) error {
	rs, err := models.FlattenServices(p.source, write, p.now)
	if err != nil {
		return err
	}
	// A location whose organisation is not written yet is written without
	// it, and linked at the end of the write (resolveLocationOrgs).
	for i, l := range rs.Locations {
		if org, ok := deferred[l.ID]; ok && l.OrganizationID != nil && *l.OrganizationID == org {
			rs.Locations[i].OrganizationID = nil
		}
	}
	for _, o := range orgs {
		// FlattenServices is the one place that turns an HSDS organisation
		// into rows; it takes organisations nested in services.
		ors, err := models.FlattenServices(p.source, []hsds.Service{{ID: o.ID, Name: o.Name, Organization: &o}}, p.now)
		if err != nil {
			return err
		}
		rs.Organizations = append(rs.Organizations, ors.Organizations...)
		rs.OrganizationIdentifiers = append(rs.OrganizationIdentifiers, ors.OrganizationIdentifiers...)
	}
	// A location referred to by id must exist by the time the batch is
	// written; one that will not (it was nested only in a service that is
	// kept) is dropped here rather than failing the write.
	inBatch := map[string]bool{}
	for _, l := range rs.Locations {
		inBatch[l.ID] = true
	}
	var svcByID map[string]string
	rs.ServiceAtLocations = slices.DeleteFunc(rs.ServiceAtLocations, func(x models.ServiceAtLocation) bool {
		if _, ok := exLocs[x.LocationID]; ok || inBatch[x.LocationID] || p.locations[x.LocationID] {
			return false
		}
		if svcByID == nil {
			svcByID = map[string]string{}
			for _, s := range write {
				svcByID[p.id(s.ID)] = s.ID
			}
		}
		p.report(Problem{RecordType: recordService, RecordID: svcByID[x.ServiceID], Field: "service_at_locations",
			Reason: "a location it refers to is not in the source", Action: Dropped}, "")
		return true
	})
	p.markLocations(write, exLocs)
	// A service's last_modified is when this platform's copy last changed,
	// so that consumers of the published API following modified_after see
	// every change an import makes.
	for i := range rs.Services {
		rs.Services[i].LastModified = p.now
	}
	for i := range rs.Organizations {
		// Parents are linked at the end of the write, when every
		// organisation of the run exists.
		rs.Organizations[i].ParentOrganizationID = nil
	}
	// Terms are written once, before every batch.
	rs.TaxonomyTerms = nil

	// Locations kept by another source are not overwritten, nor are their
	// children.
	protected := map[string]bool{}
	locs := rs.Locations[:0]
	for _, l := range rs.Locations {
		if ex, ok := exLocs[l.ID]; ok && ex.source != p.source {
			protected[l.ID] = true
			continue
		}
		locs = append(locs, l)
	}
	rs.Locations = locs
	if len(protected) > 0 {
		dropLocationChildren(rs, protected)
	}
	b.Rows = *rs
	p.written += len(rs.Services)
	return p.spill.put(b)
}

func dropLocationChildren(rs *models.RowSet, loc map[string]bool) {
	of := func(p *string) bool { return p != nil && loc[*p] }
	rs.Addresses = slices.DeleteFunc(rs.Addresses, func(x models.Address) bool { return loc[x.LocationID] })
	rs.Accessibilities = slices.DeleteFunc(rs.Accessibilities, func(x models.Accessibility) bool { return loc[x.LocationID] })
	contacts := map[string]bool{}
	rs.Contacts = slices.DeleteFunc(rs.Contacts, func(x models.Contact) bool {
		if of(x.LocationID) {
			contacts[x.ID] = true
			return true
		}
		return false
	})
	phones := map[string]bool{}
	rs.Phones = slices.DeleteFunc(rs.Phones, func(x models.Phone) bool {
		if of(x.LocationID) || (x.ContactID != nil && contacts[*x.ContactID]) {
			phones[x.ID] = true
			return true
		}
		return false
	})
	rs.Schedules = slices.DeleteFunc(rs.Schedules, func(x models.Schedule) bool { return of(x.LocationID) })
	rs.Languages = slices.DeleteFunc(rs.Languages, func(x models.Language) bool {
		return of(x.LocationID) || (x.PhoneID != nil && phones[*x.PhoneID])
	})
}

// decide applies the rules: a record kept by another source, or edited here
// since this source last wrote it, is protected; one whose hash matches the
// last import is unchanged.
func (p *preparer) decide(recType, id, hash string, ex map[string]existing, recs map[string]record) (decision, string) {
	e, exists := ex[id]
	if !exists {
		return decCreate, ""
	}
	if e.source != p.source {
		return decProtected, fmt.Sprintf("kept: maintained by %q, not by this source", e.source)
	}
	r, ok := recs[recType+"/"+id]
	if !ok {
		return decUpdate, ""
	}
	if !e.lastModified.IsZero() && !r.lastChangedAt.IsZero() && e.lastModified.After(r.lastChangedAt) {
		return decProtected, "kept: edited on this platform since this source last changed it"
	}
	if r.hash == hash {
		return decUnchanged, ""
	}
	return decUpdate, ""
}

func (p *preparer) importRecord(recType, id, sourceID, hash string, recs map[string]record) models.ImportRecord {
	first := p.now
	if r, ok := recs[recType+"/"+id]; ok && !r.firstSeen.IsZero() {
		first = r.firstSeen
	}
	return models.ImportRecord{Source: p.source, RecordType: recType, RecordID: id, SourceRecordID: sourceID,
		ContentHash: hash, FirstSeenAt: first, LastSeenAt: p.now, LastChangedAt: p.now}
}

// probe returns which of ids exist in table, with their source and, when
// the table has one, last_modified.
func (p *preparer) probe(table string, ids []string, withModified bool) (map[string]existing, error) {
	out := map[string]existing{}
	ids = uniqStrings(ids)
	cols := "id, source"
	if withModified {
		cols += ", last_modified"
	}
	err := chunks(ids, func(part []string) error {
		var rows []struct {
			ID           string
			Source       string
			LastModified time.Time
		}
		in, arg := inIDs(p.db, part)
		if err := p.db.Raw("SELECT "+cols+" FROM "+table+" WHERE id "+in, arg).Scan(&rows).Error; err != nil {
			return fmt.Errorf("importer: read %s: %w", table, err)
		}
		for _, r := range rows {
			out[r.ID] = existing{source: r.Source, lastModified: r.LastModified.UTC()}
		}
		return nil
	})
	return out, err
}

// records returns this source's import records of the given types and ids,
// keyed "type/id".
func (p *preparer) records(types, ids []string) (map[string]record, error) {
	out := map[string]record{}
	ids = uniqStrings(ids)
	err := chunks(ids, func(part []string) error {
		var rows []models.ImportRecord
		in, arg := inIDs(p.db, part)
		err := p.db.Where("source = ? AND record_type IN ? AND record_id "+in, p.source, types, arg).Find(&rows).Error
		if err != nil {
			return fmt.Errorf("importer: read import records: %w", err)
		}
		for _, r := range rows {
			out[r.RecordType+"/"+r.RecordID] = record{hash: r.ContentHash, firstSeen: r.FirstSeenAt.UTC(), lastChangedAt: r.LastChangedAt.UTC()}
		}
		return nil
	})
	return out, err
}

func uniqStrings(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}

// dedupChildren gives a derived id to a child record (a phone, a schedule,
// an address...) whose id another parent's child in the batch already has:
// real feeds reuse ids (the HSDS example puts one phone id on a service, its
// location and its contact), and the database needs them unique. The same
// child met twice under the same parent, such as the children of a location
// shared by two services, is one record. Duplicates across batches are
// caught when the batch is written.
func (p *preparer) dedupChildren(svcs []*hsds.Service, wheres []string) {
	owners := map[string]string{} // kind/id -> parent
	for i, s := range svcs {
		d := &deduper{p: p, owners: owners, svc: s, where: wheres[i]}
		owner := "service/" + s.ID
		for j := range s.ServiceAtLocations {
			sal := &s.ServiceAtLocations[j]
			path := "service_at_locations[" + strconv.Itoa(j) + "]"
			d.id("sal", owner, path, &sal.ID)
			so := "sal/" + sal.ID
			d.contacts(so, path+".contacts", sal.Contacts)
			d.phones(so, path+".phones", sal.Phones)
			d.schedules(so, path+".schedules", sal.Schedules)
			if l := sal.Location; l != nil {
				lo := "location/" + l.ID
				for k := range l.Addresses {
					d.id("address", lo, path+".location.addresses["+strconv.Itoa(k)+"]", &l.Addresses[k].ID)
				}
				for k := range l.Accessibility {
					d.id("accessibility", lo, path+".location.accessibility["+strconv.Itoa(k)+"]", &l.Accessibility[k].ID)
				}
				d.contacts(lo, path+".location.contacts", l.Contacts)
				d.phones(lo, path+".location.phones", l.Phones)
				d.schedules(lo, path+".location.schedules", l.Schedules)
				d.languages(lo, path+".location.languages", l.Languages)
			}
		}
		d.contacts(owner, "contacts", s.Contacts)
		d.phones(owner, "phones", s.Phones)
		d.schedules(owner, "schedules", s.Schedules)
		d.languages(owner, "languages", s.Languages)
		for j := range s.Attributes {
			d.id("attribute", owner, "attributes["+strconv.Itoa(j)+"]", &s.Attributes[j].ID)
		}
		for j := range s.ServiceAreas {
			d.id("area", owner, "service_areas["+strconv.Itoa(j)+"]", &s.ServiceAreas[j].ID)
		}
		for j := range s.CostOptions {
			d.id("cost", owner, "cost_options["+strconv.Itoa(j)+"]", &s.CostOptions[j].ID)
		}
		for j := range s.Fundings {
			d.id("funding", owner, "funding["+strconv.Itoa(j)+"]", &s.Fundings[j].ID)
		}
		for j := range s.RequiredDocuments {
			d.id("document", owner, "required_documents["+strconv.Itoa(j)+"]", &s.RequiredDocuments[j].ID)
		}
		if o := s.Organization; o != nil {
			for j := range o.OrganizationIdentifiers {
				d.id("identifier", "organization/"+o.ID, "organization.organization_identifiers["+strconv.Itoa(j)+"]", &o.OrganizationIdentifiers[j].ID)
			}
		}
	}
}

type deduper struct {
	p      *preparer
	owners map[string]string
	svc    *hsds.Service
	where  string
}

func (d *deduper) id(kind, owner, path string, id *string) {
	if *id == "" {
		return
	}
	k := kind + "/" + dedupKey(*id)
	prev, seen := d.owners[k]
	if !seen {
		d.owners[k] = owner
		return
	}
	if prev == owner {
		return
	}
	old := *id
	*id = "dup:" + owner + ":" + kind + ":" + old
	d.owners[kind+"/"+dedupKey(*id)] = owner
	d.p.report(Problem{RecordType: recordService, RecordID: d.svc.ID, Field: path + ".id",
		Reason: fmt.Sprintf("id %q is also used by another record in the input; this one gets an id derived from it", old), Action: Fixed}, d.where)
}

// dedupKey is an id as NormaliseID would tell it apart from others, without
// hashing: UUID-shaped ids ignore case.
func dedupKey(id string) string {
	if len(id) == 36 {
		return strings.ToLower(id)
	}
	return id
}

func (d *deduper) contacts(owner, path string, cs []hsds.Contact) {
	for i := range cs {
		q := path + "[" + strconv.Itoa(i) + "]"
		d.id("contact", owner, q, &cs[i].ID)
		d.phones("contact/"+cs[i].ID, q+".phones", cs[i].Phones)
	}
}

func (d *deduper) phones(owner, path string, ps []hsds.Phone) {
	for i := range ps {
		q := path + "[" + strconv.Itoa(i) + "]"
		d.id("phone", owner, q, &ps[i].ID)
		d.languages("phone/"+ps[i].ID, q+".languages", ps[i].Languages)
	}
}

func (d *deduper) schedules(owner, path string, ss []hsds.Schedule) {
	for i := range ss {
		d.id("schedule", owner, path+"["+strconv.Itoa(i)+"]", &ss[i].ID)
	}
}

func (d *deduper) languages(owner, path string, ls []hsds.Language) {
	for i := range ls {
		d.id("language", owner, path+"["+strconv.Itoa(i)+"]", &ls[i].ID)
	}
}

// addTerm remembers a taxonomy term (and its taxonomy) met inside a service.
func (p *preparer) addTerm(id string, t hsds.TaxonomyTerm) {
	if _, ok := p.terms[id]; ok {
		return
	}
	if d := t.TaxonomyDetail; d != nil {
		tid := p.id(d.ID)
		if _, ok := p.taxonomies[tid]; !ok {
			p.taxonomies[tid] = *d
		}
	}
	t.TaxonomyDetail = nil
	p.terms[id] = &termEntry{term: t}
	p.termOrder = append(p.termOrder, id)
}

// termRows decides the taxonomies and terms met in the run and returns the
// rows to write, parents before children. It runs after the last batch,
// when every term of the run is known.
func (p *preparer) termRows() ([]models.Taxonomy, []models.TaxonomyTerm, []models.ImportRecord, error) {
	var taxIDs []string
	for id := range p.taxonomies {
		taxIDs = append(taxIDs, id)
	}
	slices.Sort(taxIDs)
	var parentIDs []string
	for _, id := range p.termOrder {
		if t := p.terms[id].term; t.ParentID != "" {
			parentIDs = append(parentIDs, p.id(t.ParentID))
		}
		if t := p.terms[id].term; t.TaxonomyID != "" {
			taxIDs = append(taxIDs, p.id(t.TaxonomyID))
		}
	}
	exTax, err := p.probe("taxonomies", taxIDs, true)
	if err != nil {
		return nil, nil, nil, err
	}
	exTerms, err := p.probe("taxonomy_terms", append(slices.Clone(p.termOrder), parentIDs...), true)
	if err != nil {
		return nil, nil, nil, err
	}
	recs, err := p.records([]string{recordTaxonomy, recordTerm}, append(slices.Clone(p.termOrder), taxIDs...))
	if err != nil {
		return nil, nil, nil, err
	}
	var (
		taxRows  []models.Taxonomy
		termRows []models.TaxonomyTerm
		records  []models.ImportRecord
	)
	for _, id := range uniqStrings(taxIDs) {
		t, ok := p.taxonomies[id]
		if !ok {
			continue
		}
		p.rep.Taxonomies.Read++
		h := hashOf(t)
		d, why := p.decide(recordTaxonomy, id, h, exTax, recs)
		switch d {
		case decProtected:
			p.rep.Taxonomies.Skipped++
			_ = why
			continue
		case decUnchanged:
			p.rep.Taxonomies.Unchanged++
			continue
		case decCreate:
			p.rep.Taxonomies.Created++
		case decUpdate:
			p.rep.Taxonomies.Updated++
		}
		taxRows = append(taxRows, models.Taxonomy{ID: id, Name: t.Name, Description: t.Description, URI: t.URI,
			Version: t.Version, Source: p.source, LastModified: p.now})
		records = append(records, p.importRecord(recordTaxonomy, id, t.ID, h, recs))
	}
	for _, id := range p.termOrder {
		t := p.terms[id].term
		p.rep.TaxonomyTerms.Read++
		var parent, taxonomy *string
		if t.ParentID != "" {
			pid := p.id(t.ParentID)
			if _, ok := exTerms[pid]; ok || p.terms[pid] != nil {
				parent = &pid
			} else {
				p.report(Problem{RecordType: recordTerm, RecordID: t.ID, Field: "parent_id",
					Reason: fmt.Sprintf("parent term %q is not in the source", t.ParentID), Action: Dropped}, "")
			}
		}
		if t.TaxonomyID != "" {
			tid := p.id(t.TaxonomyID)
			if _, ok := exTax[tid]; ok || slices.ContainsFunc(taxRows, func(x models.Taxonomy) bool { return x.ID == tid }) {
				taxonomy = &tid
			} else if _, ok := p.taxonomies[tid]; ok {
				taxonomy = &tid
			} else {
				p.report(Problem{RecordType: recordTerm, RecordID: t.ID, Field: "taxonomy_id",
					Reason: fmt.Sprintf("taxonomy %q is not in the source", t.TaxonomyID), Action: Dropped}, "")
			}
		}
		h := hashOf(struct {
			T              hsds.TaxonomyTerm
			Parent, TaxRef *string
		}{t, parent, taxonomy})
		d, _ := p.decide(recordTerm, id, h, exTerms, recs)
		switch d {
		case decProtected:
			p.rep.TaxonomyTerms.Skipped++
			continue
		case decUnchanged:
			p.rep.TaxonomyTerms.Unchanged++
			continue
		case decCreate:
			p.rep.TaxonomyTerms.Created++
		case decUpdate:
			p.rep.TaxonomyTerms.Updated++
		}
		termRows = append(termRows, models.TaxonomyTerm{ID: id, Code: t.Code, Name: t.Name, Description: t.Description,
			ParentID: parent, Taxonomy: t.Taxonomy, TaxonomyID: taxonomy, Language: t.Language, TermURI: t.TermURI,
			Source: p.source, LastModified: p.now})
		records = append(records, p.importRecord(recordTerm, id, t.ID, h, recs))
	}
	return taxRows, parentsFirst(termRows, exTerms), records, nil
}

// parentsFirst orders terms so that each comes after its parent; a parent
// that is neither in the list nor in the database, or a cycle, is dropped.
func parentsFirst(terms []models.TaxonomyTerm, inDB map[string]existing) []models.TaxonomyTerm {
	byID := map[string]int{}
	for i, t := range terms {
		byID[t.ID] = i
	}
	state := make([]int, len(terms)) // 0 new, 1 visiting, 2 done
	out := make([]models.TaxonomyTerm, 0, len(terms))
	var visit func(i int)
	visit = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		if p := terms[i].ParentID; p != nil {
			if j, ok := byID[*p]; ok {
				if state[j] == 1 {
					terms[i].ParentID = nil // a cycle
				} else {
					visit(j)
				}
			} else if _, ok := inDB[*p]; !ok {
				terms[i].ParentID = nil
			}
		}
		state[i] = 2
		out = append(out, terms[i])
	}
	for i := range terms {
		visit(i)
	}
	return out
}
