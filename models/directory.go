package models

import "time"

// Provenance records where a top-level directory record came from.
//
// Source is "demo", "local" for records created here, or "feed:<id>" for a
// harvested feed; SourceRecordID is the id the source gave it, before the id
// rule (see NormaliseID) turned it into this platform's id.
type Provenance struct {
	Source         string    `gorm:"column:source;not null"`
	SourceRecordID string    `gorm:"column:source_record_id;not null;default:''"`
	FirstSeenAt    time.Time `gorm:"column:first_seen_at;not null"`
	LastSeenAt     time.Time `gorm:"column:last_seen_at;not null"`
}

// Organization is an HSDS organization: a publisher of services.
type Organization struct {
	ID                   string  `gorm:"column:id;primaryKey"`
	Name                 string  `gorm:"column:name;not null"`
	AlternateName        string  `gorm:"column:alternate_name"`
	Description          string  `gorm:"column:description"`
	Email                string  `gorm:"column:email"`
	Website              string  `gorm:"column:website"`
	YearIncorporated     *int    `gorm:"column:year_incorporated"`
	LegalStatus          string  `gorm:"column:legal_status"`
	Logo                 string  `gorm:"column:logo"`
	URI                  string  `gorm:"column:uri"`
	ParentOrganizationID *string `gorm:"column:parent_organization_id"`
	Provenance
	LastModified time.Time `gorm:"column:last_modified;not null"`
}

// TableName implements gorm's Tabler.
func (Organization) TableName() string { return "organizations" }

// OrganizationIdentifier is a third-party identifier of an organization.
type OrganizationIdentifier struct {
	ID               string `gorm:"column:id;primaryKey"`
	OrganizationID   string `gorm:"column:organization_id;not null"`
	IdentifierScheme string `gorm:"column:identifier_scheme"`
	IdentifierType   string `gorm:"column:identifier_type"`
	Identifier       string `gorm:"column:identifier"`
}

// TableName implements gorm's Tabler.
func (OrganizationIdentifier) TableName() string { return "organization_identifiers" }

// Visibility says whether a service is published or still a draft.
type Visibility string

// The visibilities of a service.
const (
	Draft     Visibility = "draft"
	Published Visibility = "published"
)

// CapacityStatus tells caseworkers whether a service can take people now.
type CapacityStatus string

// The capacity statuses of a service.
const (
	CapacityOpen        CapacityStatus = "open"
	CapacityWaitingList CapacityStatus = "waiting_list"
	CapacityFull        CapacityStatus = "full"
)

// Service is an HSDS service plus the platform's local extensions, which are
// never published as HSDS fields.
type Service struct {
	ID                     string   `gorm:"column:id;primaryKey"`
	OrganizationID         string   `gorm:"column:organization_id;not null"`
	Name                   string   `gorm:"column:name;not null"`
	AlternateName          string   `gorm:"column:alternate_name"`
	Description            string   `gorm:"column:description"`
	URL                    string   `gorm:"column:url"`
	Email                  string   `gorm:"column:email"`
	Status                 string   `gorm:"column:status;not null"`
	InterpretationServices string   `gorm:"column:interpretation_services"`
	ApplicationProcess     string   `gorm:"column:application_process"`
	FeesDescription        string   `gorm:"column:fees_description"`
	Accreditations         string   `gorm:"column:accreditations"`
	EligibilityDescription string   `gorm:"column:eligibility_description"`
	MinimumAge             *float64 `gorm:"column:minimum_age"`
	MaximumAge             *float64 `gorm:"column:maximum_age"`
	AssuredDate            string   `gorm:"column:assured_date"`
	AssurerEmail           string   `gorm:"column:assurer_email"`
	Alert                  string   `gorm:"column:alert"`
	// LastModified changes whenever the service or anything published
	// beneath it changes, including a location it shares with others.
	LastModified time.Time `gorm:"column:last_modified;not null"`

	Visibility         Visibility     `gorm:"column:visibility;not null"`
	ProfessionalsOnly  bool           `gorm:"column:professionals_only;not null"`
	AcceptsReferrals   bool           `gorm:"column:accepts_referrals;not null"`
	ReferralEmail      string         `gorm:"column:referral_email"`
	ResponseTargetDays int            `gorm:"column:response_target_days;not null"`
	CapacityStatus     CapacityStatus `gorm:"column:capacity_status;not null"`
	// BankHolidays names the nation whose bank holidays its response
	// target skips; empty for the deployment's.
	BankHolidays string `gorm:"column:bank_holidays;not null"`
	Provenance
}

// TableName implements gorm's Tabler.
func (Service) TableName() string { return "services" }

// Location is a place where services are delivered, or a virtual location.
type Location struct {
	ID             string   `gorm:"column:id;primaryKey"`
	OrganizationID *string  `gorm:"column:organization_id"`
	LocationType   string   `gorm:"column:location_type;not null"`
	URL            string   `gorm:"column:url"`
	Name           string   `gorm:"column:name"`
	AlternateName  string   `gorm:"column:alternate_name"`
	Description    string   `gorm:"column:description"`
	Transportation string   `gorm:"column:transportation"`
	Latitude       *float64 `gorm:"column:latitude"`
	Longitude      *float64 `gorm:"column:longitude"`
	// CoordinatesApproximate marks coordinates derived from a postcode
	// centroid rather than entered or published precisely.
	CoordinatesApproximate bool   `gorm:"column:coordinates_approximate;not null"`
	ExternalIdentifier     string `gorm:"column:external_identifier"`
	ExternalIdentifierType string `gorm:"column:external_identifier_type"`
	// ProfessionalsOnly hides the location (a refuge's address) from the
	// public API and signed-out pages.
	ProfessionalsOnly bool `gorm:"column:professionals_only;not null"`
	Provenance
}

// TableName implements gorm's Tabler.
func (Location) TableName() string { return "locations" }

// Address is the postal or physical address of a location.
type Address struct {
	ID            string `gorm:"column:id;primaryKey"`
	LocationID    string `gorm:"column:location_id;not null"`
	Attention     string `gorm:"column:attention"`
	Address1      string `gorm:"column:address_1"`
	Address2      string `gorm:"column:address_2"`
	City          string `gorm:"column:city"`
	Region        string `gorm:"column:region"`
	StateProvince string `gorm:"column:state_province"`
	PostalCode    string `gorm:"column:postal_code"`
	Country       string `gorm:"column:country"`
	AddressType   string `gorm:"column:address_type"`
}

// TableName implements gorm's Tabler.
func (Address) TableName() string { return "addresses" }

// Accessibility describes access arrangements at a location.
type Accessibility struct {
	ID          string `gorm:"column:id;primaryKey"`
	LocationID  string `gorm:"column:location_id;not null"`
	Description string `gorm:"column:description"`
	Details     string `gorm:"column:details"`
	URL         string `gorm:"column:url"`
}

// TableName implements gorm's Tabler.
func (Accessibility) TableName() string { return "accessibilities" }

// ServiceAtLocation links a service to a location where it is delivered.
type ServiceAtLocation struct {
	ID          string `gorm:"column:id;primaryKey"`
	ServiceID   string `gorm:"column:service_id;not null"`
	LocationID  string `gorm:"column:location_id;not null"`
	Description string `gorm:"column:description"`
}

// TableName implements gorm's Tabler.
func (ServiceAtLocation) TableName() string { return "service_at_locations" }

// Contact is a named person or role to contact about a service.
type Contact struct {
	ID                  string  `gorm:"column:id;primaryKey"`
	OrganizationID      *string `gorm:"column:organization_id"`
	ServiceID           *string `gorm:"column:service_id"`
	ServiceAtLocationID *string `gorm:"column:service_at_location_id"`
	LocationID          *string `gorm:"column:location_id"`
	Name                string  `gorm:"column:name"`
	Title               string  `gorm:"column:title"`
	Department          string  `gorm:"column:department"`
	Email               string  `gorm:"column:email"`
	ProfessionalsOnly   bool    `gorm:"column:professionals_only;not null"`
}

// TableName implements gorm's Tabler.
func (Contact) TableName() string { return "contacts" }

// Phone is a telephone number of a service, location, organization or contact.
type Phone struct {
	ID                  string  `gorm:"column:id;primaryKey"`
	LocationID          *string `gorm:"column:location_id"`
	ServiceID           *string `gorm:"column:service_id"`
	OrganizationID      *string `gorm:"column:organization_id"`
	ContactID           *string `gorm:"column:contact_id"`
	ServiceAtLocationID *string `gorm:"column:service_at_location_id"`
	Number              string  `gorm:"column:number;not null"`
	Extension           *int    `gorm:"column:extension"`
	Type                string  `gorm:"column:type"`
	Description         string  `gorm:"column:description"`
	// ProfessionalsOnly hides a staff direct line from the public.
	ProfessionalsOnly bool `gorm:"column:professionals_only;not null"`
}

// TableName implements gorm's Tabler.
func (Phone) TableName() string { return "phones" }

// Schedule is when a service or location is open, as iCalendar recurrence
// fields with Europe/London local opening and closing times.
type Schedule struct {
	ID                  string   `gorm:"column:id;primaryKey"`
	ServiceID           *string  `gorm:"column:service_id"`
	LocationID          *string  `gorm:"column:location_id"`
	ServiceAtLocationID *string  `gorm:"column:service_at_location_id"`
	ValidFrom           string   `gorm:"column:valid_from"`
	ValidTo             string   `gorm:"column:valid_to"`
	DTStart             string   `gorm:"column:dtstart"`
	Timezone            *float64 `gorm:"column:timezone"`
	Until               string   `gorm:"column:until"`
	Count               *int     `gorm:"column:count"`
	Wkst                string   `gorm:"column:wkst"`
	Freq                string   `gorm:"column:freq"`
	Interval            *int     `gorm:"column:interval"`
	Byday               string   `gorm:"column:byday"`
	Byweekno            string   `gorm:"column:byweekno"`
	Bymonthday          string   `gorm:"column:bymonthday"`
	Byyearday           string   `gorm:"column:byyearday"`
	Description         string   `gorm:"column:description"`
	OpensAt             string   `gorm:"column:opens_at"`
	ClosesAt            string   `gorm:"column:closes_at"`
	ScheduleLink        string   `gorm:"column:schedule_link"`
	AttendingType       string   `gorm:"column:attending_type"`
	Notes               string   `gorm:"column:notes"`
}

// TableName implements gorm's Tabler.
func (Schedule) TableName() string { return "schedules" }

// Taxonomy is a vocabulary of terms that classify services.
type Taxonomy struct {
	ID           string    `gorm:"column:id;primaryKey"`
	Name         string    `gorm:"column:name;not null"`
	Description  string    `gorm:"column:description"`
	URI          string    `gorm:"column:uri"`
	Version      string    `gorm:"column:version"`
	Source       string    `gorm:"column:source;not null"`
	LastModified time.Time `gorm:"column:last_modified;not null"`
}

// TableName implements gorm's Tabler.
func (Taxonomy) TableName() string { return "taxonomies" }

// TaxonomyTerm is one term of a taxonomy, possibly below a parent term.
type TaxonomyTerm struct {
	ID           string    `gorm:"column:id;primaryKey"`
	Code         string    `gorm:"column:code"`
	Name         string    `gorm:"column:name;not null"`
	Description  string    `gorm:"column:description"`
	ParentID     *string   `gorm:"column:parent_id"`
	Taxonomy     string    `gorm:"column:taxonomy"`
	TaxonomyID   *string   `gorm:"column:taxonomy_id"`
	Language     string    `gorm:"column:language"`
	TermURI      string    `gorm:"column:term_uri"`
	Source       string    `gorm:"column:source;not null"`
	LastModified time.Time `gorm:"column:last_modified;not null"`
}

// TableName implements gorm's Tabler.
func (TaxonomyTerm) TableName() string { return "taxonomy_terms" }

// Attribute links a record, named by LinkEntity and LinkID, to a taxonomy term.
type Attribute struct {
	ID             string `gorm:"column:id;primaryKey"`
	LinkID         string `gorm:"column:link_id;not null"`
	LinkType       string `gorm:"column:link_type"`
	LinkEntity     string `gorm:"column:link_entity;not null"`
	TaxonomyTermID string `gorm:"column:taxonomy_term_id;not null"`
	Value          string `gorm:"column:value"`
}

// TableName implements gorm's Tabler.
func (Attribute) TableName() string { return "attributes" }

// ServiceArea is the geographic area a service covers.
type ServiceArea struct {
	ID          string `gorm:"column:id;primaryKey"`
	ServiceID   string `gorm:"column:service_id;not null"`
	Name        string `gorm:"column:name"`
	Description string `gorm:"column:description"`
	Extent      string `gorm:"column:extent"`
	ExtentType  string `gorm:"column:extent_type"`
	URI         string `gorm:"column:uri"`
}

// TableName implements gorm's Tabler.
func (ServiceArea) TableName() string { return "service_areas" }

// Language is a language a service, location or phone line is offered in.
type Language struct {
	ID         string  `gorm:"column:id;primaryKey"`
	ServiceID  *string `gorm:"column:service_id"`
	LocationID *string `gorm:"column:location_id"`
	PhoneID    *string `gorm:"column:phone_id"`
	Name       string  `gorm:"column:name"`
	Code       string  `gorm:"column:code"`
	Note       string  `gorm:"column:note"`
}

// TableName implements gorm's Tabler.
func (Language) TableName() string { return "languages" }

// CostOption is a structured price of a service.
type CostOption struct {
	ID                string   `gorm:"column:id;primaryKey"`
	ServiceID         string   `gorm:"column:service_id;not null"`
	ValidFrom         string   `gorm:"column:valid_from"`
	ValidTo           string   `gorm:"column:valid_to"`
	Option            string   `gorm:"column:option"`
	Currency          string   `gorm:"column:currency"`
	Amount            *float64 `gorm:"column:amount"`
	AmountDescription string   `gorm:"column:amount_description"`
}

// TableName implements gorm's Tabler.
func (CostOption) TableName() string { return "cost_options" }

// Funding is a source of funds of an organization or service.
type Funding struct {
	ID             string  `gorm:"column:id;primaryKey"`
	OrganizationID *string `gorm:"column:organization_id"`
	ServiceID      *string `gorm:"column:service_id"`
	Source         string  `gorm:"column:source"`
}

// TableName implements gorm's Tabler.
func (Funding) TableName() string { return "fundings" }

// RequiredDocument is a document a person needs to use a service.
type RequiredDocument struct {
	ID        string `gorm:"column:id;primaryKey"`
	ServiceID string `gorm:"column:service_id;not null"`
	Document  string `gorm:"column:document"`
	URI       string `gorm:"column:uri"`
}

// TableName implements gorm's Tabler.
func (RequiredDocument) TableName() string { return "required_documents" }

// AllTables lists every model with a table, for checks that the models and
// the migrated schema agree.
func AllTables() []any {
	return append(append(append(append(DirectoryTables(), AccountTables()...), ReferralTables()...), ListingTables()...), &Session{}, &ImportRecord{}, &Feed{})
}

// DirectoryTables lists every directory model, for checks that the models
// and the migrated schema agree.
func DirectoryTables() []any {
	return []any{
		&Organization{}, &OrganizationIdentifier{}, &Service{}, &Location{}, &Address{},
		&Accessibility{}, &ServiceAtLocation{}, &Contact{}, &Phone{}, &Schedule{},
		&Taxonomy{}, &TaxonomyTerm{}, &Attribute{}, &ServiceArea{}, &Language{},
		&CostOption{}, &Funding{}, &RequiredDocument{},
	}
}
