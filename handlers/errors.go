package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/views"
)

// publicError is what a person or an API client is told about a failure.
type publicError struct {
	Status  int
	Heading string
	Message string
}

// classify maps an error to its status and a message safe to show. It is the
// only place that decides either: err.Error() is never shown.
func classify(err error) publicError {
	var he *echo.HTTPError
	var ve *models.ValidationError
	switch {
	case errors.Is(err, models.ErrNotFound):
		return publicError{http.StatusNotFound, "Page not found", "We could not find that page. It may have been removed, or the address may be wrong."}
	case errors.Is(err, models.ErrForbidden):
		return publicError{http.StatusForbidden, "You cannot do that", "Your account does not allow this. Ask your organisation's administrator if you think it should."}
	case errors.Is(err, models.ErrConflict):
		return publicError{http.StatusConflict, "Someone else changed this first", "Your change was not saved because this was changed by someone else. Reload the page to see the latest version."}
	case errors.Is(err, models.ErrInvalidTransition):
		return publicError{http.StatusConflict, "That is no longer possible", "This cannot be done at its current stage. Reload the page to see where it is now."}
	case errors.As(err, &ve):
		return publicError{http.StatusUnprocessableEntity, "Check your answers", "Some answers need correcting."}
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return classify(models.ErrNotFound)
		case http.StatusMethodNotAllowed:
			return publicError{he.Code, "Method not allowed", "That kind of request is not accepted here."}
		case http.StatusRequestEntityTooLarge:
			return publicError{he.Code, "Too much data", "What you sent is larger than this service accepts."}
		case http.StatusBadRequest:
			return publicError{he.Code, "Bad request", "The request could not be understood."}
		case http.StatusForbidden:
			return classify(models.ErrForbidden)
		case http.StatusTooManyRequests:
			return publicError{he.Code, "Too many requests", "Please wait a moment and try again."}
		}
		if he.Code < 500 {
			return publicError{he.Code, http.StatusText(he.Code), "The request could not be completed."}
		}
	}
	return publicError{http.StatusInternalServerError, "Sorry, there is a problem", "Something went wrong on our side. Try again later."}
}

// handleError is the one HTTPErrorHandler: it logs server failures with the
// request id and answers with a page, or JSON under /api.
func (h *Handler) handleError(err error, c echo.Context) {
	if errors.Is(err, context.Canceled) {
		// The client went away; there is nobody to answer.
		if !c.Response().Committed {
			c.Response().WriteHeader(499)
		}
		return
	}
	pe := classify(err)
	if pe.Status >= 500 {
		h.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("request_id", requestID(c)), slog.String("route", c.Path()), slog.Any("error", err))
	}
	if c.Response().Committed {
		return // a stream failed part-way; it can only end
	}
	if isAPI(c) {
		h.apiError(c, pe, err)
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(pe.Status)
		return
	}
	page := views.Error(views.ErrorPage{
		Layout: h.layout(c, "Error"), Heading: pe.Heading, Message: pe.Message, RequestID: requestID(c),
	})
	if rerr := render(c, pe.Status, page, nil); rerr != nil {
		h.log.Error("render error page", slog.String("request_id", requestID(c)), slog.Any("error", rerr))
		_ = c.String(pe.Status, pe.Heading)
	}
}

// layout returns the shared page frame for a request and a page title.
func (h *Handler) layout(c echo.Context, title string) views.Layout {
	l := views.Layout{Title: title, Demo: h.opts.Demo, CSRF: csrfToken(c)}
	if h.opts.OIDC != nil || h.opts.Demo {
		l.SignInURL = "/auth/login"
	}
	if a := currentActor(c); a != nil {
		l.UserName = a.User.DisplayName()
		l.NoOrganisation = !a.IsMember() && !a.User.PlatformAdmin
		l.ShowAdmin = models.Can(a, models.AdminOrganisations, models.Resource{})
		l.ShowReferrals = models.Can(a, models.ListReferrals, models.Resource{})
		for _, m := range a.Memberships {
			if models.Can(a, models.ViewTeam, models.Resource{OrganisationID: m.OrganisationID}) {
				l.ShowTeam = true
			}
		}
	}
	if h.sessions != nil && c.Get(csrfKey) != nil {
		// Only pages under the session middleware carry a flash.
		l.Flash = h.sessions.PopString(c.Request().Context(), sessFlash)
	}
	return l
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/api" || strings.HasPrefix(p, "/api/")
}

// apiError answers an API request with a JSON error. A bad parameter is the
// client's mistake: 400, naming each parameter and what is wrong with it.
func (h *Handler) apiError(c echo.Context, pe publicError, err error) {
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	body := map[string]any{"status": pe.Status, "error": pe.Heading, "message": pe.Message}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		pe.Status = http.StatusBadRequest
		names := make([]string, 0, len(ve.Fields))
		for name := range ve.Fields {
			names = append(names, name)
		}
		sort.Strings(names)
		msgs := make([]string, len(names))
		for i, n := range names {
			msgs[i] = n + " " + ve.Fields[n]
		}
		body = map[string]any{"status": pe.Status, "error": "Bad request",
			"message": strings.Join(msgs, "; "), "parameters": ve.Fields}
	}
	body["request_id"] = requestID(c)
	_ = c.JSON(pe.Status, body)
}
