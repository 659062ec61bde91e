package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/importer"
	"github.com/openreferral-uk/referrals/views/admin"
	"github.com/openreferral-uk/referrals/views/components"
)

// adminFeeds is GET /admin/feeds.
func (h *Handler) adminFeeds(c echo.Context) error {
	return h.feedsPage(c, http.StatusOK, admin.FeedsPage{Form: admin.FeedForm{
		IncrementalMinutes: strconv.Itoa(models.DefaultIncrementalMinutes), FullHours: strconv.Itoa(models.DefaultFullHours)}})
}

func (h *Handler) feedsPage(c echo.Context, status int, p admin.FeedsPage) error {
	feeds, err := models.ListFeeds(c.Request().Context(), h.db, currentActor(c))
	if err != nil {
		return err
	}
	for _, f := range feeds {
		p.Feeds = append(p.Feeds, feedRow(f))
	}
	p.Layout = h.layout(c, "Feeds")
	p.Layout.Nav = "admin"
	return render(c, status, admin.Feeds(p), nil)
}

func feedRow(f models.Feed) admin.FeedRow {
	r := admin.FeedRow{ID: f.ID, Name: f.Name, URL: f.URL, Format: f.Format, Status: f.Status, Error: f.LastError,
		Schedule: fmt.Sprintf("only what changed every %d minutes; everything every %d hours", f.IncrementalMinutes, f.FullHours)}
	if r.Format == "" {
		r.Format = "detected on each run"
	}
	if f.LastRunAt != nil {
		r.LastRun = f.LastRunAt.UTC().Format("2 January 2006 15:04 UTC")
		r.LastRunKind = "only what changed"
		if f.LastRunFull {
			r.LastRunKind = "everything"
		}
	}
	r.RunRequested = f.RunRequested()
	rep := importer.ParseFeedReport(f.LastReport)
	s := rep.Services
	r.Read, r.Created, r.Updated, r.Unchanged, r.Skipped, r.MarkedInactive = s.Read, s.Created, s.Updated, s.Unchanged, s.Skipped, s.MarkedInactive
	r.ProblemCount = rep.ProblemCount
	for _, pr := range rep.Problems {
		rec := pr.RecordType
		if pr.RecordID != "" {
			rec += " " + pr.RecordID
		}
		if pr.Where != "" {
			rec += " (" + pr.Where + ")"
		}
		r.Problems = append(r.Problems, admin.FeedProblem{Record: rec, Field: pr.Field, Reason: pr.Reason, Action: string(pr.Action)})
	}
	return r
}

// adminFeedCreate is POST /admin/feeds.
func (h *Handler) adminFeedCreate(c echo.Context) error {
	form := admin.FeedForm{Name: c.FormValue("name"), URL: c.FormValue("url"), Format: c.FormValue("format"),
		IncrementalMinutes: c.FormValue("incremental_minutes"), FullHours: c.FormValue("full_hours")}
	errs := components.Errors{}
	number := func(field, v string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 {
			errs[field] = "Enter a whole number"
			return -1
		}
		return n
	}
	in := models.FeedInput{Name: form.Name, URL: form.URL, Format: form.Format,
		IncrementalMinutes: number("incremental_minutes", form.IncrementalMinutes), FullHours: number("full_hours", form.FullHours)}
	f, err := models.AddFeed(c.Request().Context(), h.db, currentActor(c), in)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for k, v := range ve.Fields {
			if _, ok := errs[k]; !ok {
				errs[k] = v
			}
		}
		return h.feedsPage(c, http.StatusUnprocessableEntity, admin.FeedsPage{Form: form, Errors: errs})
	}
	if err != nil {
		return err
	}
	h.flash(c, "Feed "+f.Name+" added. It is harvested in full within a minute.")
	return c.Redirect(http.StatusSeeOther, "/admin/feeds")
}

// adminFeedRemove is POST /admin/feeds/:id/remove.
func (h *Handler) adminFeedRemove(c echo.Context) error {
	f, err := models.RemoveFeed(c.Request().Context(), h.db, currentActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	h.flash(c, "Feed "+f.Name+" removed. Its services stay in the directory as they are.")
	return c.Redirect(http.StatusSeeOther, "/admin/feeds")
}

// adminFeedRun is POST /admin/feeds/:id/run: the harvest runs in the
// background job that looks for due feeds every minute, never in this
// request.
func (h *Handler) adminFeedRun(c echo.Context) error {
	f, err := models.RequestFeedRun(c.Request().Context(), h.db, currentActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	if h.opts.Jobs != nil {
		if err := importer.HarvestNow(c.Request().Context(), h.opts.Jobs); err != nil {
			return err
		}
		h.flash(c, "Feed "+f.Name+" is being harvested now (or straight after a harvest already running).")
	} else {
		h.flash(c, "Feed "+f.Name+" will be harvested within a minute.")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/feeds")
}
