package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
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
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; there is nobody to answer.
		c.Response().WriteHeader(499)
		return
	}
	pe := classify(err)
	if pe.Status >= 500 {
		h.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("request_id", requestID(c)), slog.String("route", c.Path()), slog.Any("error", err))
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") || c.Request().URL.Path == "/api" {
		_ = c.JSON(pe.Status, map[string]any{"status": pe.Status, "error": pe.Heading, "message": pe.Message})
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(pe.Status)
		return
	}
	page := views.Error(views.ErrorPage{
		Layout: h.layout("Error"), Heading: pe.Heading, Message: pe.Message, RequestID: requestID(c),
	})
	if rerr := render(c, pe.Status, page, nil); rerr != nil {
		h.log.Error("render error page", slog.String("request_id", requestID(c)), slog.Any("error", rerr))
		_ = c.String(pe.Status, pe.Heading)
	}
}

// layout returns the shared page frame settings for a page title.
func (h *Handler) layout(title string) views.Layout {
	return views.Layout{Title: title, Demo: h.opts.Demo}
}
