// Package hsds holds the Human Services Data Specification 3.0 objects as
// they travel in JSON, with the fields the Open Referral UK profile uses.
//
// It knows nothing of the database: models converts between these types and
// its own tables, the API writes them, and importers read them. Every
// optional field is omitted when empty, because ORUK consumers treat null and
// "" as errors.
package hsds

import (
	"encoding/json"
	"strings"
)

// Version is the HSDS version these types describe.
const Version = "3.0"

// ProfileURL identifies the Open Referral UK profile of HSDS 3.0.
const ProfileURL = "https://openreferraluk.org/specifications/3.0/"

// Service statuses defined by HSDS 3.0.
const (
	StatusActive            = "active"
	StatusInactive          = "inactive"
	StatusDefunct           = "defunct"
	StatusTemporarilyClosed = "temporarily closed"
)

// Service is an HSDS service with the objects nested beneath it.
type Service struct {
	ID                     string              `json:"id"`
	OrganizationID         string              `json:"organization_id,omitempty"`
	Name                   string              `json:"name"`
	AlternateName          string              `json:"alternate_name,omitempty"`
	Description            string              `json:"description,omitempty"`
	URL                    string              `json:"url,omitempty"`
	Email                  string              `json:"email,omitempty"`
	Status                 string              `json:"status"`
	InterpretationServices string              `json:"interpretation_services,omitempty"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	Accreditations         string              `json:"accreditations,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	AssuredDate            string              `json:"assured_date,omitempty"`
	AssurerEmail           string              `json:"assurer_email,omitempty"`
	Alert                  string              `json:"alert,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	Fundings               []Funding           `json:"funding,omitempty"`
	CostOptions            []CostOption        `json:"cost_options,omitempty"`
	Contacts               []Contact           `json:"contacts,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
	RequiredDocuments      []RequiredDocument  `json:"required_documents,omitempty"`
	Metadata               []Metadata          `json:"metadata,omitempty"`
}

// Organization is an HSDS organization: a publisher of services.
type Organization struct {
	ID                      string                   `json:"id"`
	Name                    string                   `json:"name"`
	AlternateName           string                   `json:"alternate_name,omitempty"`
	Description             string                   `json:"description,omitempty"`
	Email                   string                   `json:"email,omitempty"`
	Website                 string                   `json:"website,omitempty"`
	YearIncorporated        *float64                 `json:"year_incorporated,omitempty"`
	LegalStatus             string                   `json:"legal_status,omitempty"`
	Logo                    string                   `json:"logo,omitempty"`
	URI                     string                   `json:"uri,omitempty"`
	ParentOrganizationID    string                   `json:"parent_organization_id,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Contacts                []Contact                `json:"contacts,omitempty"`
	Locations               []Location               `json:"locations,omitempty"`
	Fundings                []Funding                `json:"funding,omitempty"`
	Services                []Service                `json:"services,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	Metadata                []Metadata               `json:"metadata,omitempty"`
}

// OrganizationIdentifier is a third-party identifier of an organization,
// such as a Charity Commission or Companies House number.
type OrganizationIdentifier struct {
	ID               string `json:"id"`
	OrganizationID   string `json:"organization_id,omitempty"`
	IdentifierScheme string `json:"identifier_scheme,omitempty"`
	IdentifierType   string `json:"identifier_type"`
	Identifier       string `json:"identifier"`
}

// ServiceAtLocation links a service to a location where it is delivered.
type ServiceAtLocation struct {
	ID          string      `json:"id"`
	ServiceID   string      `json:"service_id,omitempty"`
	LocationID  string      `json:"location_id,omitempty"`
	Description string      `json:"description,omitempty"`
	Phones      []Phone     `json:"phones,omitempty"`
	Contacts    []Contact   `json:"contacts,omitempty"`
	Schedules   []Schedule  `json:"schedules,omitempty"`
	Location    *Location   `json:"location,omitempty"`
	Service     *Service    `json:"service,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
}

// Location types defined by HSDS 3.0.
const (
	LocationPhysical = "physical"
	LocationPostal   = "postal"
	LocationVirtual  = "virtual"
)

// Location is a place where services are delivered, or a virtual location.
type Location struct {
	ID                     string          `json:"id"`
	LocationType           string          `json:"location_type"`
	URL                    string          `json:"url,omitempty"`
	OrganizationID         string          `json:"organization_id,omitempty"`
	Name                   string          `json:"name,omitempty"`
	AlternateName          string          `json:"alternate_name,omitempty"`
	Description            string          `json:"description,omitempty"`
	Transportation         string          `json:"transportation,omitempty"`
	Latitude               *float64        `json:"latitude,omitempty"`
	Longitude              *float64        `json:"longitude,omitempty"`
	ExternalIdentifier     string          `json:"external_identifier,omitempty"`
	ExternalIdentifierType string          `json:"external_identifier_type,omitempty"`
	Languages              []Language      `json:"languages,omitempty"`
	Addresses              []Address       `json:"addresses,omitempty"`
	Contacts               []Contact       `json:"contacts,omitempty"`
	Accessibility          []Accessibility `json:"accessibility,omitempty"`
	Phones                 []Phone         `json:"phones,omitempty"`
	Schedules              []Schedule      `json:"schedules,omitempty"`
	Attributes             []Attribute     `json:"attributes,omitempty"`
}

// Address is a physical or postal address of a location.
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Attention     string `json:"attention,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// Phone is a telephone number of a service, location, organization or contact.
type Phone struct {
	ID                  string     `json:"id"`
	LocationID          string     `json:"location_id,omitempty"`
	ServiceID           string     `json:"service_id,omitempty"`
	OrganizationID      string     `json:"organization_id,omitempty"`
	ContactID           string     `json:"contact_id,omitempty"`
	ServiceAtLocationID string     `json:"service_at_location_id,omitempty"`
	Number              string     `json:"number"`
	Extension           *float64   `json:"extension,omitempty"`
	Type                string     `json:"type,omitempty"`
	Description         string     `json:"description,omitempty"`
	Languages           []Language `json:"languages,omitempty"`
}

// Contact is a named person or role to contact about a service.
type Contact struct {
	ID                  string  `json:"id"`
	OrganizationID      string  `json:"organization_id,omitempty"`
	ServiceID           string  `json:"service_id,omitempty"`
	ServiceAtLocationID string  `json:"service_at_location_id,omitempty"`
	LocationID          string  `json:"location_id,omitempty"`
	Name                string  `json:"name,omitempty"`
	Title               string  `json:"title,omitempty"`
	Department          string  `json:"department,omitempty"`
	Email               string  `json:"email,omitempty"`
	Phones              []Phone `json:"phones,omitempty"`
}

// Schedule is when a service or location is open, as iCalendar recurrence
// fields. Times are Europe/London local times without an offset.
type Schedule struct {
	ID                  string   `json:"id"`
	ServiceID           string   `json:"service_id,omitempty"`
	LocationID          string   `json:"location_id,omitempty"`
	ServiceAtLocationID string   `json:"service_at_location_id,omitempty"`
	ValidFrom           string   `json:"valid_from,omitempty"`
	ValidTo             string   `json:"valid_to,omitempty"`
	DTStart             string   `json:"dtstart,omitempty"`
	Timezone            *float64 `json:"timezone,omitempty"`
	Until               string   `json:"until,omitempty"`
	Count               *float64 `json:"count,omitempty"`
	Wkst                string   `json:"wkst,omitempty"`
	Freq                string   `json:"freq,omitempty"`
	Interval            *float64 `json:"interval,omitempty"`
	Byday               string   `json:"byday,omitempty"`
	Byweekno            string   `json:"byweekno,omitempty"`
	Bymonthday          string   `json:"bymonthday,omitempty"`
	Byyearday           string   `json:"byyearday,omitempty"`
	Description         string   `json:"description,omitempty"`
	OpensAt             string   `json:"opens_at,omitempty"`
	ClosesAt            string   `json:"closes_at,omitempty"`
	ScheduleLink        string   `json:"schedule_link,omitempty"`
	AttendingType       string   `json:"attending_type,omitempty"`
	Notes               string   `json:"notes,omitempty"`
}

// Taxonomy is a vocabulary of terms that classify services.
type Taxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
}

// TaxonomyTerm is one term of a taxonomy, possibly below a parent term.
type TaxonomyTerm struct {
	ID             string    `json:"id"`
	Code           string    `json:"code,omitempty"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	ParentID       string    `json:"parent_id,omitempty"`
	Taxonomy       string    `json:"taxonomy,omitempty"`
	TaxonomyID     string    `json:"taxonomy_id,omitempty"`
	TaxonomyDetail *Taxonomy `json:"taxonomy_detail,omitempty"`
	Language       string    `json:"language,omitempty"`
	TermURI        string    `json:"term_uri,omitempty"`
}

// Attribute links a record (usually a service) to a taxonomy term.
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// ServiceArea is the geographic area a service covers.
type ServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Extent      string `json:"extent,omitempty"`
	ExtentType  string `json:"extent_type,omitempty"`
	URI         string `json:"uri,omitempty"`
}

// Language is a language a service, location or phone line is offered in.
type Language struct {
	ID         string `json:"id"`
	ServiceID  string `json:"service_id,omitempty"`
	LocationID string `json:"location_id,omitempty"`
	PhoneID    string `json:"phone_id,omitempty"`
	Name       string `json:"name,omitempty"`
	Code       string `json:"code,omitempty"`
	Note       string `json:"note,omitempty"`
}

// CostOption is a structured price of a service.
type CostOption struct {
	ID                string   `json:"id"`
	ServiceID         string   `json:"service_id,omitempty"`
	ValidFrom         string   `json:"valid_from,omitempty"`
	ValidTo           string   `json:"valid_to,omitempty"`
	Option            string   `json:"option,omitempty"`
	Currency          string   `json:"currency,omitempty"`
	Amount            *float64 `json:"amount,omitempty"`
	AmountDescription string   `json:"amount_description,omitempty"`
}

// Funding is a source of funds of an organization or service.
type Funding struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id,omitempty"`
	ServiceID      string `json:"service_id,omitempty"`
	Source         string `json:"source,omitempty"`
}

// Accessibility describes access arrangements at a location.
type Accessibility struct {
	ID          string `json:"id"`
	LocationID  string `json:"location_id,omitempty"`
	Description string `json:"description,omitempty"`
	Details     string `json:"details,omitempty"`
	URL         string `json:"url,omitempty"`
}

// RequiredDocument is a document a person needs to use a service.
type RequiredDocument struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Document  string `json:"document,omitempty"`
	URI       string `json:"uri,omitempty"`
}

// Metadata records one change to a field of a record.
type Metadata struct {
	ID               string `json:"id"`
	ResourceID       string `json:"resource_id"`
	ResourceType     string `json:"resource_type"`
	LastActionDate   string `json:"last_action_date"`
	LastActionType   string `json:"last_action_type"`
	FieldName        string `json:"field_name"`
	PreviousValue    string `json:"previous_value"`
	ReplacementValue string `json:"replacement_value"`
	UpdatedBy        string `json:"updated_by"`
}

// DecodeServices reads HSDS services from JSON that holds one service, an
// array of services, or a paged API response whose "contents" are services.
func DecodeServices(data []byte) ([]Service, error) {
	trimmed := strings.TrimSpace(string(data))
	switch {
	case strings.HasPrefix(trimmed, "["):
		var out []Service
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, err
		}
		return out, nil
	case strings.HasPrefix(trimmed, "{"):
		var probe struct {
			Contents json.RawMessage `json:"contents"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			return nil, err
		}
		if len(probe.Contents) > 0 {
			var out []Service
			if err := json.Unmarshal(probe.Contents, &out); err != nil {
				return nil, err
			}
			return out, nil
		}
		var one Service
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, err
		}
		return []Service{one}, nil
	default:
		return nil, &json.SyntaxError{Offset: 0}
	}
}
