package models

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// A platform admin can delete a taxonomy: one uploaded by mistake, or one
// the platform no longer uses. Its terms go with it, and so do the links
// that file services under those terms; the services themselves stay,
// without those categories. A taxonomy a registered feed brings is not
// deleted here: the feed's next harvest would bring it back.

// TaxonomyImpact is what deleting a taxonomy takes with it.
type TaxonomyImpact struct {
	TaxonomySummary
	// Services is how many services are filed under its terms.
	Services int64
	// Feed names the registered feed the taxonomy comes from, when one
	// does: then it cannot be deleted.
	Feed string
}

// TaxonomyDeletion says what deleting the taxonomy id would take with it.
func TaxonomyDeletion(ctx context.Context, db *gorm.DB, a *Actor, id string) (TaxonomyImpact, error) {
	if err := can(a, AdminTaxonomies, Resource{}); err != nil {
		return TaxonomyImpact{}, err
	}
	return taxonomyImpact(db.WithContext(ctx), id)
}

func taxonomyImpact(tx *gorm.DB, id string) (TaxonomyImpact, error) {
	var im TaxonomyImpact
	err := tx.Table("taxonomies t").
		Select("t.id, t.name, t.source, (SELECT COUNT(*) FROM taxonomy_terms tt WHERE tt.taxonomy_id = t.id) AS terms").
		Where("t.id = ?", id).Take(&im.TaxonomySummary).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return im, fmt.Errorf("models: taxonomy %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return im, fmt.Errorf("models: taxonomy %s: %w", id, err)
	}
	if err := tx.Table("attributes").Where("link_entity = ? AND taxonomy_term_id IN (?)", "service",
		tx.Table("taxonomy_terms").Select("id").Where("taxonomy_id = ?", id)).
		Distinct("link_id").Count(&im.Services).Error; err != nil {
		return im, fmt.Errorf("models: taxonomy %s: count services: %w", id, err)
	}
	if IsFeedSource(im.Source) {
		var feeds []string
		if err := tx.Model(&Feed{}).Where("name = ?", strings.TrimPrefix(im.Source, FeedSource(""))).Pluck("name", &feeds).Error; err != nil {
			return im, fmt.Errorf("models: taxonomy %s: feeds: %w", id, err)
		}
		if len(feeds) > 0 {
			im.Feed = feeds[0]
		}
	}
	return im, nil
}

// DeleteTaxonomy deletes the taxonomy id with its terms and the links that
// file services under them, in one transaction. The services it touches
// are marked as changed (so API consumers following modified_after see
// them) and re-indexed for search, and the deletion is in the audit log.
func DeleteTaxonomy(ctx context.Context, db *gorm.DB, a *Actor, id string) (TaxonomyImpact, error) {
	if err := can(a, AdminTaxonomies, Resource{}); err != nil {
		return TaxonomyImpact{}, err
	}
	var im TaxonomyImpact
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if im, err = taxonomyImpact(tx, id); err != nil {
			return err
		}
		if im.Feed != "" {
			v := &ValidationError{}
			v.Add("taxonomy", fmt.Sprintf("%s comes from the feed %s, whose next harvest would bring it back. Remove the feed first.", im.Name, im.Feed))
			return v
		}
		terms := tx.Table("taxonomy_terms").Select("id").Where("taxonomy_id = ?", id)
		var services []string
		if err := tx.Table("attributes").Where("link_entity = ? AND taxonomy_term_id IN (?)", "service", terms).
			Distinct().Pluck("link_id", &services).Error; err != nil {
			return err
		}
		// Imported services and terms this takes something from must not
		// look edited on this platform afterwards, or their source could
		// never update them again (and never give the categories back):
		// their provenance is marked changed now, with no content hash, so
		// the next import rewrites them. Those already edited here, and so
		// already kept from their source, stay kept.
		orphans := tx.Table("taxonomy_terms").Select("id").Where("parent_id IN (?) AND (taxonomy_id IS NULL OR taxonomy_id <> ?)", terms, id)
		var imported []ImportRecord
		if err := tx.Table("import_records ir").Select("ir.*").
			Joins("JOIN services s ON s.id = ir.record_id AND s.source = ir.source").
			Where("ir.record_type = ? AND ir.record_id IN (?) AND s.last_modified <= ir.last_changed_at", RecordService,
				tx.Table("attributes").Select("link_id").Where("link_entity = ? AND taxonomy_term_id IN (?)", "service", terms)).
			Find(&imported).Error; err != nil {
			return err
		}
		var importedTerms []ImportRecord
		if err := tx.Where("record_type = ? AND record_id IN (?)", RecordTaxonomyTerm, orphans).Find(&importedTerms).Error; err != nil {
			return err
		}
		// Provenance of what goes, then the taxonomy: its terms and their
		// attributes follow by ON DELETE CASCADE, and terms of other
		// taxonomies whose parent it held lose that parent (SET NULL).
		if err := tx.Where("record_type = ? AND record_id IN (?)", RecordTaxonomyTerm, terms).Delete(&ImportRecord{}).Error; err != nil {
			return err
		}
		if err := tx.Where("record_type = ? AND record_id = ?", RecordTaxonomy, id).Delete(&ImportRecord{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&Taxonomy{}, "id = ?", id).Error; err != nil {
			return err
		}
		now := Now()
		if err := TouchServices(ctx, tx, services, now); err != nil {
			return err
		}
		if err := ReindexServices(ctx, tx, services); err != nil {
			return err
		}
		type group struct{ source, recordType string }
		ids := map[group][]string{}
		for _, r := range append(imported, importedTerms...) {
			g := group{r.Source, r.RecordType}
			ids[g] = append(ids[g], r.RecordID)
		}
		for g, recIDs := range ids {
			for from := 0; from < len(recIDs); from += 500 {
				if err := tx.Model(&ImportRecord{}).
					Where("source = ? AND record_type = ? AND record_id IN ?", g.source, g.recordType, recIDs[from:min(from+500, len(recIDs))]).
					Updates(map[string]any{"content_hash": "", "last_changed_at": now}).Error; err != nil {
					return err
				}
			}
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "taxonomy.deleted", SubjectType: "taxonomy", SubjectID: id,
			Detail: fmt.Sprintf("%s: %d terms, %d services filed under them", im.Name, im.Terms, len(services))})
	})
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) || errors.Is(err, ErrNotFound) {
			return im, err
		}
		return im, fmt.Errorf("models: delete taxonomy %s: %w", id, err)
	}
	return im, nil
}
