// Package admin holds the platform admin pages.
package admin

import (
	"strconv"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
	"github.com/openreferral-uk/referrals/views/components"
)

// HSDSChoice is a directory organisation a member organisation may be linked to.
type HSDSChoice struct{ ID, Name string }

// OrganisationsPage lists member organisations for approval and linking.
type OrganisationsPage struct {
	Layout        views.Layout
	Organisations []models.OrganisationSummary
	Directory     []HSDSChoice
	// Domains are each organisation's verified email domains, by id.
	Domains map[string][]string
}

// UsersPage lists every user.
type UsersPage struct {
	Layout views.Layout
	Users  []models.UserSummary
	SelfID string
}

func itoa(n int) string { return strconv.Itoa(n) }

// FeedsPage lists the feeds the directory harvests, with a form to add one.
type FeedsPage struct {
	Layout views.Layout
	Feeds  []FeedRow
	Form   FeedForm
	Errors components.Errors
}

// FeedForm is what was typed into the add-a-feed form.
type FeedForm struct {
	Name, URL, Format, IncrementalMinutes, FullHours string
}

// FeedRow is one feed and its latest run, ready to show.
type FeedRow struct {
	ID, Name, URL, Format string
	Schedule              string
	Status                string // new, running, ok, failed
	LastRun               string // "" when it has not run
	LastRunKind           string // full or incremental
	RunRequested          bool
	Error                 string
	// Counts of the latest run's services.
	Read, Created, Updated, Unchanged, Skipped, MarkedInactive int
	ProblemCount                                               int
	Problems                                                   []FeedProblem
}

// FeedProblem is one problem of a feed's latest run.
type FeedProblem struct {
	Record, Field, Reason, Action string
}

// TaxonomyDeletePage asks a platform admin to confirm deleting a taxonomy,
// saying what goes with it.
type TaxonomyDeletePage struct {
	Layout views.Layout
	Impact models.TaxonomyImpact
	Errors components.Errors
}

// TaxonomiesPage lists the taxonomies, with a form to import one.
type TaxonomiesPage struct {
	Layout     views.Layout
	Taxonomies []models.TaxonomySummary
	Name, URI  string
	Errors     components.Errors
	// Result is the import just made.
	Result *models.TaxonomyImportResult
}
