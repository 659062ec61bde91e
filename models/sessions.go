package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Session is a row of the sessions table, in the shape scs's gormstore
// uses, so that either can read it.
type Session struct {
	Token  string    `gorm:"column:token;primaryKey"`
	Data   []byte    `gorm:"column:data"`
	Expiry time.Time `gorm:"column:expiry"`
}

// TableName implements gorm's Tabler.
func (Session) TableName() string { return "sessions" }

// SessionStore keeps scs sessions in the app database, so that any replica
// can serve any request. It does what scs's gormstore does, with one
// difference that matters: every time is UTC. gormstore compares expiry
// with the local time, and SQLite compares times as text, so on a server
// whose zone is not UTC (Europe/London in summer) sessions would expire an
// hour early or late.
type SessionStore struct {
	db *gorm.DB
}

// NewSessionStore returns a session store over db.
func NewSessionStore(db *gorm.DB) *SessionStore { return &SessionStore{db: db} }

// Find returns a live session's data (scs.Store).
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// FindCtx returns a live session's data (scs.CtxStore).
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var rows []Session
	err := s.db.WithContext(ctx).Where("token = ? AND expiry >= ?", token, Now()).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, false, fmt.Errorf("models: find session: %w", err)
	}
	if len(rows) == 0 {
		return nil, false, nil
	}
	return rows[0].Data, true, nil
}

// Commit saves a session (scs.Store).
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// CommitCtx saves a session (scs.CtxStore).
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	row := Session{Token: token, Data: b, Expiry: expiry.UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "token"}},
		DoUpdates: clause.AssignmentColumns([]string{"data", "expiry"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("models: commit session: %w", err)
	}
	return nil
}

// Delete removes a session (scs.Store).
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteCtx removes a session (scs.CtxStore).
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if err := s.db.WithContext(ctx).Where("token = ?", token).Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("models: delete session: %w", err)
	}
	return nil
}

// DeleteExpired removes expired sessions and reports how many.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expiry < ?", Now()).Delete(&Session{})
	if res.Error != nil && !errors.Is(res.Error, context.Canceled) {
		return 0, fmt.Errorf("models: delete expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}
