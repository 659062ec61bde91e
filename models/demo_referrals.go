package models

import (
	"context"
	"fmt"
)

// LoadDemoReferrals makes, once, a few referrals between the demo
// organisations about invented people, so that the inbox, the history and
// the data protection lead's tools have something to show. It needs the
// demo directory and accounts loaded first. Nobody here is real.
func LoadDemoReferrals(ctx context.Context, r *Referrals) error {
	var n int64
	if err := r.DB.WithContext(ctx).Model(&Referral{}).Count(&n).Error; err != nil {
		return fmt.Errorf("models: demo referrals: %w", err)
	}
	if n > 0 {
		return nil
	}
	var orgs []MemberOrganisation
	if err := r.DB.WithContext(ctx).Where("id IN (SELECT member_organisation_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.issuer = ?)", DemoIssuer).
		Order("name").Find(&orgs).Error; err != nil || len(orgs) < 2 {
		return fmt.Errorf("models: demo referrals need two demo organisations: %w", err)
	}
	from := orgs[0]
	caseworker, err := demoMember(ctx, r, from.ID, "caseworker")
	if err != nil {
		return err
	}
	// The first service of another demo organisation that can take them.
	var target string
	for _, o := range orgs[1:] {
		var ids []string
		if err := r.DB.WithContext(ctx).Model(&Service{}).Where("organization_id = ? AND accepts_referrals = ? AND visibility = ?",
			o.HSDSOrganizationID, true, Published).Order("name").Limit(1).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("models: demo referrals: %w", err)
		}
		if len(ids) > 0 {
			target = ids[0]
			break
		}
	}
	if target == "" {
		return nil
	}
	agreed := Now().AddDate(0, 0, -3)
	form := func(given, family, day, month, year, reason string) ReferralForm {
		return ReferralForm{
			LawfulBasis: "consent", PersonAgreed: "yes", AgreementCovers: "Sharing these details with the service so it can contact them",
			AgreementMethod: "in_person", AgreedDay: fmt.Sprint(agreed.Day()), AgreedMonth: fmt.Sprint(int(agreed.Month())),
			AgreedYear: fmt.Sprint(agreed.Year()), HadCapacity: "yes", Under16: "no",
			GivenName: given, FamilyName: family, BirthDay: day, BirthMonth: month, BirthYear: year,
			Phone: "01632 960 123", PreferredContact: "phone", Postcode: "HD1 2SP",
			Reason: reason, Urgency: "routine",
		}
	}
	people := []ReferralForm{
		form("Alex", "Example", "1", "5", "1990", "Invented demo person: behind on rent and worried about a letter from the landlord."),
		form("Alex", "Example", "1", "5", "1990", "Invented demo person: asked for help with a benefits form."),
		form("Jamie", "Sample", "12", "10", "1975", "Invented demo person: needs a food parcel this week."),
	}
	for _, f := range people {
		if _, err := r.Create(ctx, caseworker, target, from.ID, f); err != nil {
			return fmt.Errorf("models: demo referrals: %w", err)
		}
	}
	return nil
}

func demoMember(ctx context.Context, r *Referrals, orgID, role string) (*Actor, error) {
	var ids []string
	if err := r.DB.WithContext(ctx).Model(&Membership{}).Where("member_organisation_id = ? AND "+role+" = ?", orgID, true).
		Order("user_id").Limit(1).Pluck("user_id", &ids).Error; err != nil || len(ids) == 0 {
		return nil, fmt.Errorf("models: demo referrals: no %s: %w", role, err)
	}
	return LoadActor(ctx, r.DB, ids[0])
}
