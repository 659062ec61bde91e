package main

// sectorCentroids are the centroids of the postcode sectors the demo
// locations are in, copied from shared/geo/sectors.csv (ONS NSPL May 2025,
// OGL v3). Keeping them here lets the generator run without the shared
// folder; the package tests check them against the CSV.
var sectorCentroids = map[string][2]float64{
	"HD1 1":  {53.64727, -1.78343},
	"HD1 2":  {53.64520, -1.78327},
	"HD1 3":  {53.63884, -1.78949},
	"HD1 4":  {53.64682, -1.79986},
	"HD1 6":  {53.65318, -1.77851},
	"HD2 1":  {53.66997, -1.76213},
	"HD3 3":  {53.65950, -1.83458},
	"WF12 8": {53.68806, -1.61223},
	"WF12 9": {53.68113, -1.63437},
	"WF13 1": {53.69227, -1.63066},
	"WF13 2": {53.69424, -1.63740},
	"WF13 3": {53.68338, -1.65874},
	"WF13 4": {53.69947, -1.65117},
	"HX1 1":  {53.72241, -1.86067},
	"HX1 2":  {53.71868, -1.86274},
	"HX1 4":  {53.72439, -1.88348},
	"HX1 5":  {53.72429, -1.87058},
	"HX3 0":  {53.70685, -1.86408},
	"HX3 5":  {53.73474, -1.87732},
	"HX3 6":  {53.73500, -1.86343},
}

// access is one accessibility entry of a location.
type access struct {
	description, details string
}

// location is one physical place where services are delivered. Street
// names are real or plausible; numbers, unit postcodes and venues are
// invented.
type location struct {
	key, org, name, description string
	address1, address2, city    string
	postcode                    string
	transportation              string
	access                      []access
	// reception adds a reception phone from the organisation's range.
	reception bool
	// professionalsOnly keeps the whole location from the public: it is
	// listed in settings.json's professionals_only_locations.
	professionalsOnly bool
}

var (
	stepFree      = access{"Step-free access", ""}
	hearingLoop   = access{"Hearing loop", ""}
	accessibleWC  = access{"Accessible toilet", ""}
	privateRooms  = access{"Private interview rooms", "Ask at reception if you would like to speak to someone in private."}
	prayerRoom    = access{"Prayer room", ""}
	bslOnRequest  = access{"British Sign Language interpreters", "Book a BSL interpreter when you make an appointment; we need five working days' notice."}
	changingPlace = access{"Changing Places toilet", "Accessible toilet with a hoist, height-adjustable changing bench and space for two carers."}
)

var locations = []location{
	{
		key: "hud-advice", org: "holmecolne", name: "Byram Street Advice Centre",
		description: "The main office of Holme and Colne Advice Trust, with private interview rooms on the ground and first floors.",
		address1:    "3 Byram Street", city: "Huddersfield", postcode: "HD1 1DR",
		transportation: "Five minutes' walk from Huddersfield bus station and the railway station. The nearest car park is on Lord Street.",
		access:         []access{{"Step-free access", "Level entrance from Byram Street and a lift to the first-floor interview rooms."}, hearingLoop, privateRooms},
		reception:      true,
	},
	{
		key: "hud-library", org: "kirklees", name: "Ramsden Street Library",
		description: "A town centre library with meeting rooms, free public computers and Wi-Fi.",
		address1:    "Ramsden Street", city: "Huddersfield", postcode: "HD1 2TH",
		transportation: "Opposite the town hall. Most buses stop on Westgate or at the bus station, three minutes' walk away.",
		access:         []access{stepFree, accessibleWC, hearingLoop},
	},
	{
		key: "hud-stmarks", org: "calderspen", name: "St Mark's Church Hall",
		description: "A church hall used by several community groups. Enter through the car park at the back of the church.",
		address1:    "41 Manchester Road", city: "Huddersfield", postcode: "HD1 3NB",
		transportation: "Buses along Manchester Road stop outside. There is limited parking behind the hall.",
		access:         []access{{"Step-free access", "Use the car park entrance; the front door has three steps."}, accessibleWC},
	},
	{
		key: "hud-daycentre", org: "hillside", name: "Hillside Day Centre",
		description: "A day centre for people who are homeless or vulnerably housed, with a kitchen, showers and laundry.",
		address1:    "Unit 2, Castlegate Works", address2: "Old Leeds Road", city: "Huddersfield", postcode: "HD1 6PW",
		transportation: "Ten minutes' walk from the bus station along Old Leeds Road.",
		access:         []access{stepFree, {"Accessible toilet and shower", ""}},
		reception:      true,
	},
	{
		key: "hud-fartown", org: "calderspen", name: "Fartown Community Centre",
		description: "A community centre with a main hall, a kitchen and two smaller rooms.",
		address1:    "58 Woodhouse Hill", address2: "Fartown", city: "Huddersfield", postcode: "HD2 1DN",
		transportation: "Buses from Huddersfield town centre towards Fartown and Bradford Road stop nearby.",
		access:         []access{stepFree, {"Baby changing", ""}},
	},
	{
		key: "hud-bradley", org: "northlight", name: "Northlight Recovery Huddersfield",
		description: "Northlight's Huddersfield base, with a drop-in area, clinic rooms and a group room.",
		address1:    "Unit 3, Bradley Business Park", address2: "Leeds Road", city: "Huddersfield", postcode: "HD2 1UR",
		transportation: "Buses towards Bradley and Leeds stop outside on Leeds Road. Free parking at the business park.",
		access:         []access{stepFree, privateRooms},
		reception:      true,
	},
	{
		key: "hud-paddock", org: "calderyouth", name: "Paddock Youth and Community Hub",
		description: "A youth and community centre with a sports hall, a kitchen and a music room.",
		address1:    "27 Church Street", address2: "Paddock", city: "Huddersfield", postcode: "HD1 4UB",
		transportation: "Buses from Huddersfield bus station to Paddock Head stop two minutes' walk away.",
		access:         []access{stepFree},
	},
	{
		key: "hud-lindley", org: "holmecolne", name: "Lindley Methodist Church Hall",
		description: "A church hall in Lindley village used for evening groups and workshops.",
		address1:    "9 Occupation Road", address2: "Lindley", city: "Huddersfield", postcode: "HD3 3BX",
		transportation: "Just off Lidget Street in Lindley village. There is on-street parking nearby.",
		access:         []access{stepFree, {"Hearing loop", "In the main hall only."}},
	},
	{
		key: "dew-library", org: "kirklees", name: "Dewsbury Town Library",
		description: "A library over two floors with a community room, free computers and Wi-Fi.",
		address1:    "4 Wellington Road", city: "Dewsbury", postcode: "WF13 1HL",
		transportation: "Five minutes' walk from Dewsbury bus station and railway station.",
		access:         []access{stepFree, {"Lift to all floors", ""}, hearingLoop},
	},
	{
		key: "dew-westtown", org: "westtown", name: "Westtown Community Centre",
		description: "Westtown Neighbours Trust's community centre, with a café, a hall and a garden.",
		address1:    "65 Westgate Hill", address2: "Westtown", city: "Dewsbury", postcode: "WF13 2AB",
		transportation: "A short walk uphill from Dewsbury town centre. Free parking on site.",
		access:         []access{stepFree, accessibleWC, hearingLoop},
		reception:      true,
	},
	{
		key: "dew-bethel", org: "calderspen", name: "Bethel Chapel Hall",
		description: "A chapel hall on Halifax Road used by the Dewsbury food bank.",
		address1:    "22 Halifax Road", city: "Dewsbury", postcode: "WF13 4AE",
		transportation: "Buses along Halifax Road between Dewsbury and Batley stop outside.",
		access:         []access{{"Ramp at the side entrance", "Ring the bell and a volunteer will open the side door."}},
	},
	{
		key: "dew-ravensthorpe", org: "calderspen", name: "Ravensthorpe Community Centre",
		description: "A busy community centre used by local groups, with a pantry shop and meeting rooms.",
		address1:    "140 Huddersfield Road", address2: "Ravensthorpe", city: "Dewsbury", postcode: "WF13 3JB",
		transportation: "Ravensthorpe railway station is ten minutes' walk away; buses from Dewsbury stop on Huddersfield Road.",
		access:         []access{stepFree, prayerRoom},
	},
	{
		key: "dew-clearwater", org: "clearwater", name: "Clearwater Dewsbury Office",
		description: "Clearwater's Kirklees office, where advisers and children's workers see people by appointment.",
		address1:    "Suite 4, Crown House", address2: "Wakefield Old Road", city: "Dewsbury", postcode: "WF12 8DS",
		transportation: "Ten minutes' walk from Dewsbury bus station. Ring the buzzer marked Suite 4; the door is not signed.",
		access:         []access{stepFree, privateRooms, {"Children's play area", ""}},
	},
	{
		key: "dew-savile", org: "westtown", name: "Savile Town Community Hub",
		description: "A community hub with a large hall and a separate women's room.",
		address1:    "31 Savile Road", address2: "Savile Town", city: "Dewsbury", postcode: "WF12 9LN",
		transportation: "Across the river from Dewsbury town centre, about fifteen minutes' walk from the bus station.",
		access:         []access{stepFree, {"Women-only room", "A separate room is available for women-only sessions."}},
	},
	{
		key: "hx-library", org: "shibden", name: "Northgate Library",
		description: "A town centre library with a learning suite, meeting rooms and free Wi-Fi.",
		address1:    "Northgate", city: "Halifax", postcode: "HX1 1UN",
		transportation: "Three minutes' walk from Halifax bus station.",
		access:         []access{stepFree, {"Lift to all floors", ""}, hearingLoop, accessibleWC},
	},
	{
		key: "hx-wellbeing", org: "pennine", name: "Pennine Wellbeing Centre",
		description: "A converted Victorian house with a café, counselling rooms and a quiet room.",
		address1:    "14 Harrison Road", city: "Halifax", postcode: "HX1 2AF",
		transportation: "Five minutes' walk from Halifax bus station; the railway station is ten minutes away.",
		access:         []access{{"Step-free access", "Step-free to the café and ground-floor counselling rooms only."}, {"Quiet room", ""}, hearingLoop},
		reception:      true,
	},
	{
		key: "hx-allotment", org: "pennine", name: "Lee Mount Community Allotment",
		description: "A community allotment with raised beds, a polytunnel and a shelter with a kettle.",
		address1:    "Lee Mount Road", city: "Halifax", postcode: "HX3 5BW",
		transportation: "Buses from Halifax bus station towards Ovenden stop on Lee Mount Road.",
		access:         []access{{"Raised beds", "Raised beds and a firm path to the polytunnel. The site is on a slope."}},
	},
	{
		key: "hx-welcome", org: "shibden", name: "Shibden Welcome Hub",
		description: "The Shibden Welcome Project's drop-in centre, with a kitchen, a children's corner and advice rooms.",
		address1:    "12 Horton Street", city: "Halifax", postcode: "HX1 1PB",
		transportation: "Opposite Halifax railway station and two minutes' walk from the bus station.",
		access:         []access{stepFree, prayerRoom, {"Children's corner", ""}},
		reception:      true,
	},
	{
		key: "hx-parkward", org: "calderspen", name: "Park Ward Community Centre",
		description: "A community centre serving Park ward, with a hall and a pantry shop.",
		address1:    "201 Hanson Lane", city: "Halifax", postcode: "HX1 4SD",
		transportation: "Buses from Halifax bus station along Hanson Lane stop outside.",
		access:         []access{stepFree, accessibleWC},
	},
	{
		key: "hx-youth", org: "calderyouth", name: "Calder Youth Works Centre",
		description: "A youth centre with a games room, a music studio, a kitchen and quiet rooms for one-to-one support.",
		address1:    "7 Gibbet Street", city: "Halifax", postcode: "HX1 5BA",
		transportation: "Ten minutes' walk from Halifax bus station up Gibbet Street.",
		access:         []access{{"Step-free access", "Ground floor only."}, {"Gender-neutral toilets", ""}},
		reception:      true,
	},
	{
		key: "hx-staidans", org: "calderspen", name: "St Aidan's Church Hall",
		description: "A church hall with a large kitchen, home to the Halifax food bank and community kitchen.",
		address1:    "3 Skircoat Road", city: "Halifax", postcode: "HX1 2RD",
		transportation: "Buses along Skircoat Road stop outside; the bus station is ten minutes' walk away.",
		access:         []access{{"Step-free access", "Ramp at the main entrance."}, hearingLoop},
	},
	{
		key: "hx-hillside", org: "hillside", name: "Hillside Housing Action Halifax",
		description: "Hillside's Calderdale office, where tenancy and youth housing workers are based.",
		address1:    "First Floor, 30 Commercial Street", city: "Halifax", postcode: "HX1 1TA",
		transportation: "In the town centre, five minutes' walk from the bus station.",
		access:         []access{{"Lift to the first floor", ""}, accessibleWC},
	},
	{
		key: "hx-abilityhub", org: "abilityhub", name: "Ability Hub Calderdale",
		description: "Ability Hub's centre in a converted mill, with an equipment store, advice rooms and a café.",
		address1:    "Unit 8, Boothtown Mill", address2: "Boothtown Road", city: "Halifax", postcode: "HX3 6LJ",
		transportation: "Buses from Halifax bus station to Boothtown stop outside. Blue Badge parking on site.",
		access:         []access{{"Step-free access", "Step-free throughout, with automatic doors."}, changingPlace, hearingLoop, bslOnRequest},
		reception:      true,
	},
	{
		key: "hx-northlight", org: "northlight", name: "Northlight Recovery Halifax",
		description: "Northlight's Halifax base, with a drop-in area, clinic rooms and the Recovery Café.",
		address1:    "21 Clare Road", city: "Halifax", postcode: "HX1 2HX",
		transportation: "Five minutes' walk from Halifax bus station.",
		access:         []access{stepFree, privateRooms},
	},
	{
		key: "hx-sports", org: "abilityhub", name: "Boothtown Sports Hall",
		description: "A sports hall with accessible changing rooms, used for Ability Hub's inclusive sports sessions.",
		address1:    "Ploughcroft Lane", address2: "Boothtown", city: "Halifax", postcode: "HX3 6TX",
		transportation: "Buses to Boothtown stop five minutes' walk away. Free parking, including Blue Badge bays.",
		access:         []access{stepFree, {"Accessible changing rooms", "Changing rooms with a hoist and shower chairs."}},
	},
	{
		// A refuge's address is for referring professionals only.
		key: "hx-refuge", org: "clearwater", name: "Clearwater Refuge",
		description: "Shared refuge accommodation for women and children. The address must not be given to anyone other than a referring professional.",
		address1:    "18 Meadow View Terrace", city: "Halifax", postcode: "HX3 0EW",
		transportation: "Refuge staff arrange how new residents arrive; do not travel to the address without speaking to them first.",
		access:         []access{{"Accessible bedroom", "One ground-floor bedroom with an accessible shower room."}},

		professionalsOnly: true,
	},
}
