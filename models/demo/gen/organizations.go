package main

// organization is one invented publisher of services. slug names its
// example.org.uk website and email domain.
type organization struct {
	key, name, slug, description string
	legalStatus                  string
	year                         int
	// identifierScheme, identifierType and identifier form its one
	// organization_identifier; charity numbers are invented.
	identifierScheme, identifierType, identifier string
	// phoneRange is the Ofcom drama range its numbers come from.
	phoneRange string
	// areas are the service areas of its services that have no physical
	// location.
	areas []string
}

const (
	charityScheme = "GB-CHC"
	charityType   = "Charity number"
)

var organizations = []organization{
	{
		key: "holmecolne", name: "Holme and Colne Advice Trust", slug: "holmecolneadvice",
		description: "An independent advice charity helping people across Kirklees with debt, benefits and money worries since 1994. All our advice is free, confidential and impartial, and our advisers are trained to national advice standards.",
		legalStatus: "Charitable incorporated organisation", year: 1994,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1093417",
		phoneRange: rangeLeeds, areas: []string{"Kirklees"},
	},
	{
		key: "calderspen", name: "Calder and Spen Food Partnership", slug: "calderspenfood",
		description: "A partnership of churches, mosques and community groups running food banks and low-cost community pantries in Huddersfield, Dewsbury and Halifax. We also work with local agencies to tackle the reasons people need a food bank.",
		legalStatus: "Charitable incorporated organisation", year: 2012,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1148263",
		phoneRange: rangeLeeds, areas: []string{"Kirklees", "Calderdale"},
	},
	{
		key: "hillside", name: "Hillside Housing Action", slug: "hillsidehousing",
		description: "Hillside Housing Action helps people who are homeless or at risk of losing their home in Kirklees and Calderdale. We run a day centre, street outreach and tenancy support, and give free housing advice to tenants and homeowners.",
		legalStatus: "Charitable company limited by guarantee", year: 2001,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1087532",
		phoneRange: rangeLeeds, areas: []string{"Kirklees", "Calderdale"},
	},
	{
		key: "clearwater", name: "Clearwater Domestic Abuse Service", slug: "clearwaterdas",
		description: "Clearwater supports women, men and children affected by domestic abuse in Kirklees and Calderdale. We run a 24-hour helpline, safe refuge accommodation, independent domestic violence advisers and recovery programmes for adults and children.",
		legalStatus: "Charitable company limited by guarantee", year: 1989,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1021846",
		phoneRange: rangeLeeds, areas: []string{"Kirklees", "Calderdale"},
	},
	{
		key: "pennine", name: "Pennine Wellbeing Collective", slug: "penninewellbeing",
		description: "A Halifax mental health charity offering peer support, low-cost counselling and creative and outdoor activities that help people feel better and more connected. Much of our work is led by volunteers with lived experience of mental ill health.",
		legalStatus: "Charitable incorporated organisation", year: 2008,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1125904",
		phoneRange: rangeDrama, areas: []string{"Calderdale"},
	},
	{
		key: "westtown", name: "Westtown Neighbours Trust", slug: "westtownneighbours",
		description: "A community charity based in Westtown, Dewsbury, bringing neighbours together since 1997. We run befriending, lunch clubs, carers' groups and digital help for older and isolated people across north Kirklees.",
		legalStatus: "Charitable incorporated organisation", year: 1997,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1064178",
		phoneRange: rangeLeeds, areas: []string{"Kirklees"},
	},
	{
		key: "shibden", name: "Shibden Welcome Project", slug: "shibdenwelcome",
		description: "Shibden Welcome Project offers friendship, practical help and advice to refugees and people seeking asylum in Calderdale and north Kirklees. Our staff and volunteers speak more than a dozen languages between them.",
		legalStatus: "Charitable incorporated organisation", year: 2015,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1163390",
		phoneRange: rangeDrama, areas: []string{"Calderdale", "Kirklees"},
	},
	{
		key: "calderyouth", name: "Calder Youth Works", slug: "calderyouthworks",
		description: "A youth work charity for young people aged 11 to 25 in Halifax and Huddersfield. We run youth clubs, one-to-one support and employability programmes, and help care leavers find their feet.",
		legalStatus: "Charitable company limited by guarantee", year: 2004,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1104722",
		phoneRange: rangeDrama, areas: []string{"Calderdale", "Kirklees"},
	},
	{
		key: "kirklees", name: "Kirklees Council Community Connect Team", slug: "kirkleesconnect",
		description: "The Community Connect Team is part of Kirklees Council's communities service. We link residents with local support, run the council's welfare rights and carers' services, and provide digital help in libraries.",
		legalStatus: "Local authority",
		// A council has no charity number: org-id.guide's GB-LAE list gives
		// English local authorities a code, and Kirklees's is KIR.
		identifierScheme: "GB-LAE", identifierType: "Local authority code", identifier: "KIR",
		phoneRange: rangeLeeds, areas: []string{"Kirklees"},
	},
	{
		key: "northlight", name: "Northlight Recovery", slug: "northlightrecovery",
		description: "Northlight Recovery supports adults affected by drug and alcohol use in Kirklees and Calderdale, and the people who care about them. Our recovery workers, nurses and peer mentors offer harm reduction, structured treatment and a welcoming recovery community.",
		legalStatus: "Charitable company limited by guarantee", year: 2011,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1140567",
		phoneRange: rangeLeeds, areas: []string{"Kirklees", "Calderdale"},
	},
	{
		key: "abilityhub", name: "Ability Hub Calderdale", slug: "abilityhubcalderdale",
		description: "A user-led disability organisation run by and for disabled people in Calderdale. We give advice on benefits and rights, lend mobility equipment and run inclusive social and sports activities.",
		legalStatus: "Charitable incorporated organisation", year: 2003,
		identifierScheme: charityScheme, identifierType: charityType, identifier: "1098851",
		phoneRange: rangeDrama, areas: []string{"Calderdale"},
	},
}

// areaDescriptions describe the service areas by name.
var areaDescriptions = map[string]string{
	"Kirklees":   "Residents of Kirklees, including Huddersfield, Dewsbury, Batley and the Colne and Holme valleys.",
	"Calderdale": "Residents of Calderdale, including Halifax, Brighouse, Elland, Sowerby Bridge and Todmorden.",
}

// townAreas gives the local authority of each town the locations are in.
var townAreas = map[string]string{
	"Huddersfield": "Kirklees",
	"Dewsbury":     "Kirklees",
	"Halifax":      "Calderdale",
}
