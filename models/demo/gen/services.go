package main

// sched is one weekly opening. loc names the location of the service it
// applies to when the service has several; otherwise it is empty and the
// schedule belongs to the service. label starts the human description
// ("Drop-in" gives "Drop-in, Tuesdays 10am to 12pm"); notes add anything
// the times do not say.
type sched struct {
	loc, days, opens, closes, label, notes string
}

// cost is one structured price.
type cost struct {
	option      string
	amount      float64 // 0 means no fixed amount
	description string
}

// virtualLoc is an online location: a webchat or an application form.
type virtualLoc struct {
	name, description, path string
}

// service is one invented service. Empty fields take the defaults in
// build.go: fees "Free", the standard application process, status active.
type service struct {
	key, org, name, description string
	eligibility, process, fees  string
	minAge, maxAge              int // 0 means not set
	alert, status               string
	accreditations, interp      string
	terms                       []string
	locs                        []string // physical locations
	virtual                     *virtualLoc
	scheds                      []sched
	langs                       []string // besides English
	costs                       []cost
	funding                     []string
	helpline                    bool   // a freephone number instead of the organisation's range
	contact                     string // the contact's job title; empty for no contact
	// directLine gives the contact a staff direct line that only signed-in
	// professionals may see.
	directLine bool

	noReferrals, professionalsOnly, draft bool
}

const (
	defaultProcess = "Referral from a professional, or call us."
	defaultFees    = "Free"
)

var services = []service{
	// Holme and Colne Advice Trust, Huddersfield.
	{
		key: "debt-advice", org: "holmecolne", name: "Debt Advice Drop-in",
		description: "Free, confidential help with priority debts such as rent, council tax and energy arrears, and with credit cards, catalogues and loans. An adviser will look at your income and spending, contact your creditors and explain your options, including debt relief orders and bankruptcy. Bring any letters and bank statements you have.",
		eligibility: "Adults living in Kirklees who are worried about debt.",
		terms:       []string{"MONEY-DEBT"}, locs: []string{"hud-advice"},
		scheds:  []sched{{days: "TU,TH", opens: "10:00", closes: "12:00", label: "Drop-in"}, {days: "MO,WE,FR", opens: "09:30", closes: "16:30", label: "Appointments"}},
		langs:   []string{"ur", "pa"},
		contact: "Debt Advice Team Leader", funding: []string{"Kirklees Council advice services grant"},
	},
	{
		key: "benefits-helpline", org: "holmecolne", name: "Benefits and Universal Credit Helpline",
		description: "Call our advisers for help with Universal Credit, Pension Credit, Council Tax Reduction and disability benefits. We can check what you are entitled to, help you fill in forms over the phone and explain what to do if a payment has been stopped or sanctioned.",
		eligibility: "Anyone living in Kirklees, and professionals calling on a client's behalf.",
		process:     "Call the helpline. Professionals can also email us with the client's consent.",
		terms:       []string{"MONEY-BENEFITS"}, helpline: true,
		scheds:      []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Phone lines open"}},
		langs:       []string{"ur"},
		noReferrals: true,
	},
	{
		key: "energy-advice", org: "holmecolne", name: "Energy Bills and Fuel Debt Advice",
		description: "Help with high energy bills, prepayment meters and arrears with gas, electricity or water suppliers. We can apply to supplier hardship funds for you, check you are on the cheapest tariff and arrange a free home energy visit.",
		eligibility: "Households in Kirklees struggling to pay for energy or water.",
		terms:       []string{"MONEY", "MONEY-DEBT"}, locs: []string{"hud-advice", "hud-library"},
		scheds: []sched{
			{loc: "hud-advice", days: "MO", opens: "13:00", closes: "16:00", label: "Energy advice appointments"},
			{loc: "hud-library", days: "TH", opens: "10:00", closes: "13:00", label: "Drop-in at the library"},
		},
		contact: "Energy Adviser", funding: []string{"Pennine Community Foundation fuel poverty fund"},
	},
	{
		key: "money-skills", org: "holmecolne", name: "Making Your Money Go Further Workshops",
		description: "Friendly two-hour workshops on budgeting, banking and saving, avoiding loan sharks and coping with the cost of living. Sessions are informal and you do not have to share any personal details. Tea and biscuits provided.",
		eligibility: "Adults in Kirklees. Community groups can also book a session for their members.",
		process:     "Just turn up, or call us to book a place for a group.",
		terms:       []string{"MONEY"}, locs: []string{"hud-library", "hud-lindley"},
		scheds: []sched{
			{loc: "hud-library", days: "WE", opens: "10:00", closes: "12:00", label: "Workshop"},
			{loc: "hud-lindley", days: "TU", opens: "18:00", closes: "20:00", label: "Evening workshop"},
		},
		noReferrals: true,
	},
	{
		key: "pip-appeals", org: "holmecolne", name: "PIP and Benefit Appeals Support",
		description: "Specialist caseworkers help with Personal Independence Payment and Employment and Support Allowance claims, mandatory reconsiderations and appeals. Where we can, we will prepare your case and represent you at the tribunal hearing.",
		eligibility: "Adults in Kirklees who are ill or disabled and have been refused a benefit or need help to claim one.",
		process:     "Referral from a professional, or call us. Please tell us the date on your decision letter, as appeal time limits are strict.",
		minAge:      16,
		terms:       []string{"MONEY-BENEFITS", "DISABILITY"}, locs: []string{"hud-advice"},
		scheds:  []sched{{days: "MO,TU,WE,TH", opens: "09:30", closes: "16:30", label: "By appointment"}},
		contact: "Welfare Benefits Caseworker",
	},
	{
		key: "rent-arrears", org: "holmecolne", name: "Rent Arrears and Eviction Prevention Advice",
		description: "If you have fallen behind with rent or mortgage payments or received a possession notice, talk to us as early as you can. We negotiate with landlords and lenders, help with Discretionary Housing Payment applications and can go with you to the county court duty desk.",
		eligibility: "Tenants and homeowners in Kirklees at risk of losing their home because of arrears.",
		alert:       "If you have a court hearing in the next seven days, call us straight away and tell us it is urgent.",
		terms:       []string{"MONEY-DEBT", "HOUSING"}, locs: []string{"hud-advice"},
		scheds:  []sched{{days: "WE", opens: "09:30", closes: "16:30", label: "Appointments"}},
		contact: "Housing Debt Adviser",
	},
	{
		key: "dewsbury-money-outreach", org: "holmecolne", name: "Dewsbury Money Advice Outreach",
		description: "Weekly outreach sessions in Dewsbury for people who find it hard to get to our Huddersfield office. Bring your letters and we will help with debts, benefits and bills there and then, or book you a longer appointment.",
		eligibility: "Adults living in Dewsbury, Batley and the Spen Valley.",
		terms:       []string{"MONEY-DEBT", "MONEY-BENEFITS"}, locs: []string{"dew-library", "dew-savile"},
		scheds: []sched{
			{loc: "dew-library", days: "MO", opens: "10:00", closes: "13:00", label: "Drop-in"},
			{loc: "dew-savile", days: "TH", opens: "13:00", closes: "15:30", label: "Women-only drop-in"},
		},
		langs: []string{"ur", "pa", "gu"},
	},

	// Calder and Spen Food Partnership.
	{
		key: "huddersfield-foodbank", org: "calderspen", name: "Huddersfield Central Food Bank",
		description: "Emergency food parcels for people in crisis, with enough food for three days plus toiletries and household essentials. You need a food bank voucher from a referral partner such as an advice agency, GP surgery, school or housing officer. Volunteers will offer you a hot drink and can point you to further help.",
		eligibility: "Anyone in Huddersfield who cannot afford food. A voucher from a referral partner is needed.",
		process:     "Referral from a professional using our e-voucher system, or call us to find a referral partner near you.",
		alert:       "The food bank is closed on bank holidays. Vouchers can be used at any of our sessions.",
		terms:       []string{"FOOD-BANK"}, locs: []string{"hud-stmarks"},
		scheds:  []sched{{days: "TU,TH", opens: "10:00", closes: "13:00", label: "Food bank open"}, {days: "SA", opens: "10:00", closes: "12:00", label: "Food bank open"}},
		contact: "Food Bank Coordinator", funding: []string{"Donations from local churches, mosques and supermarkets"},
	},
	{
		key: "dewsbury-foodbank", org: "calderspen", name: "Dewsbury Food Bank",
		description: "Emergency food parcels for households in Dewsbury, Batley and the surrounding area. Parcels take account of dietary and religious needs, including halal and vegetarian options. A voucher from a referral partner is needed.",
		eligibility: "Anyone in north Kirklees who cannot afford food, with a food bank voucher.",
		process:     "Referral from a professional using our e-voucher system, or call us to find a referral partner near you.",
		terms:       []string{"FOOD-BANK"}, locs: []string{"dew-bethel"},
		scheds:  []sched{{days: "MO,WE,FR", opens: "11:00", closes: "14:00", label: "Food bank open"}},
		langs:   []string{"ur", "pa", "pl"},
		contact: "Food Bank Coordinator",
	},
	{
		key: "halifax-foodbank", org: "calderspen", name: "Halifax Community Food Bank",
		description: "Three days' emergency food for people referred by local agencies, with fresh fruit and vegetables when we have them. We can also give fuel vouchers for prepayment meters to people referred for them.",
		eligibility: "Anyone in Calderdale who cannot afford food, with a food bank voucher.",
		process:     "Referral from a professional using our e-voucher system, or call us to find a referral partner near you.",
		terms:       []string{"FOOD-BANK"}, locs: []string{"hx-staidans"},
		scheds:  []sched{{days: "MO,TH", opens: "12:00", closes: "15:00", label: "Food bank open"}, {days: "SA", opens: "10:00", closes: "12:00", label: "Food bank open"}},
		langs:   []string{"ur"},
		contact: "Food Bank Coordinator", funding: []string{"Calderdale Council crisis support grant"},
	},
	{
		key: "fartown-pantry", org: "calderspen", name: "Fartown Community Pantry",
		description: "A members' pantry where you pay a small weekly fee and choose your own groceries, usually worth more than £20. Membership is open to anyone in the HD1 and HD2 postcode areas who is struggling with the cost of food.",
		eligibility: "Residents of HD1 and HD2 on a low income. No referral is needed.",
		process:     "Join at any session; bring proof of address. Professionals can also refer people.",
		fees:        "£4 per week membership",
		terms:       []string{"FOOD-PANTRY"}, locs: []string{"hud-fartown"},
		scheds: []sched{{days: "WE", opens: "13:00", closes: "16:00", label: "Pantry open"}, {days: "FR", opens: "10:00", closes: "12:30", label: "Pantry open"}},
		costs:  []cost{{"Weekly membership", 4, "Choose around ten items, plus fresh fruit and vegetables"}},
	},
	{
		key: "ravensthorpe-pantry", org: "calderspen", name: "Ravensthorpe Community Pantry",
		description: "A low-cost pantry shop with tinned and dried food, fresh produce, chilled and frozen food and toiletries. Pay a small amount each visit and choose what you need.",
		eligibility: "Anyone living in Dewsbury on a low income. No referral is needed.",
		process:     "Join at any session; bring proof of address. Professionals can also refer people.",
		fees:        "£3.50 per visit",
		terms:       []string{"FOOD-PANTRY"}, locs: []string{"dew-ravensthorpe"},
		scheds: []sched{{days: "TU", opens: "10:00", closes: "13:00", label: "Pantry open"}, {days: "TH", opens: "16:00", closes: "18:30", label: "After-school session"}},
		langs:  []string{"ur", "pa"},
		costs:  []cost{{"Per visit", 3.5, "Choose up to twelve items"}},
	},
	{
		key: "parkward-pantry", org: "calderspen", name: "Park Ward Community Pantry",
		description: "A members' pantry in Park ward with food and household essentials at a fraction of shop prices. Members also get free cooking sessions and energy advice.",
		eligibility: "Residents of Halifax on a low income. No referral is needed.",
		process:     "Join at any session; bring proof of address. Professionals can also refer people.",
		fees:        "£3 per visit",
		terms:       []string{"FOOD-PANTRY"}, locs: []string{"hx-parkward"},
		scheds: []sched{{days: "WE", opens: "10:00", closes: "13:00", label: "Pantry open"}},
		langs:  []string{"ur"},
		costs:  []cost{{"Per visit", 3, "Choose up to ten items"}},
	},
	{
		key: "community-kitchen", org: "calderspen", name: "Community Kitchen Lunch",
		description: "A hot two-course lunch every Tuesday, cooked by volunteers from surplus food. Pay what you can; nobody is turned away. It is a good place to meet people, and workers from local services often join us.",
		eligibility: "Everyone is welcome.",
		process:     "Just turn up.",
		fees:        "Pay as you feel",
		terms:       []string{"FOOD", "LONELINESS"}, locs: []string{"hx-staidans"},
		scheds:      []sched{{days: "TU", opens: "12:00", closes: "14:00", label: "Lunch served"}},
		costs:       []cost{{"Pay as you feel", 0, "Suggested donation of £2; pay nothing if you cannot afford it"}},
		noReferrals: true,
	},
	{
		key: "foodbank-delivery", org: "calderspen", name: "Food Parcel Home Delivery",
		description: "Volunteer drivers deliver food bank parcels to people who cannot get to a food bank because of illness, disability or caring responsibilities. Deliveries are made across Kirklees and Calderdale on Thursdays.",
		eligibility: "People with a food bank voucher who are housebound or cannot travel.",
		process:     "Referral from a professional, who should tick 'delivery needed' on the e-voucher.",
		terms:       []string{"FOOD-BANK", "OLDER-PEOPLE", "DISABILITY"},
		scheds:      []sched{{days: "TH", opens: "10:00", closes: "15:00", label: "Deliveries"}},
	},

	// Hillside Housing Action.
	{
		key: "housing-advice-line", org: "hillside", name: "Housing Advice Line",
		description: "Free advice by phone or webchat for tenants, homeowners and people facing homelessness. We can explain your rights, help you deal with disrepair or an illegal eviction, and tell you how to make a homeless application to the council.",
		eligibility: "Anyone in Kirklees or Calderdale with a housing problem.",
		process:     "Call the advice line or start a webchat.",
		terms:       []string{"HOUSING"}, helpline: true,
		virtual:     &virtualLoc{"Hillside housing webchat", "Chat to a housing adviser online.", "/chat"},
		scheds:      []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Phone and webchat"}},
		noReferrals: true,
	},
	{
		key: "rough-sleeper-outreach", org: "hillside", name: "Rough Sleeper Outreach",
		description: "Our outreach workers go out early every morning to find and support people sleeping rough in Huddersfield town centre. We help people into emergency accommodation and connect them with health, drug and alcohol and benefits services. If you are worried about someone sleeping rough, call us and tell us where they are.",
		eligibility: "People sleeping rough, or at risk of sleeping rough tonight, in Huddersfield.",
		process:     "Call us, or refer someone you are worried about. Professionals can refer by email.",
		minAge:      18,
		terms:       []string{"HOUSING-HOMELESS"}, locs: []string{"hud-daycentre"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR,SA,SU", opens: "06:30", closes: "10:00", label: "Outreach shifts"}},
		contact: "Outreach Team Leader", funding: []string{"Kirklees Council rough sleeping grant"},
	},
	{
		key: "day-centre", org: "hillside", name: "Hillside Day Centre",
		description: "A warm, safe place for people who are homeless or vulnerably housed. We serve breakfast and lunch, and offer showers, laundry, a postal address and drop-in sessions with a nurse and a housing worker.",
		eligibility: "Adults who are homeless, sleeping rough or in temporary accommodation.",
		minAge:      18,
		terms:       []string{"HOUSING-HOMELESS", "FOOD"}, locs: []string{"hud-daycentre"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR", opens: "08:30", closes: "14:00", label: "Open"}, {days: "SA", opens: "09:00", closes: "12:00", label: "Breakfast only"}},
		langs:   []string{"pl"},
		contact: "Day Centre Manager",
	},
	{
		key: "tenancy-support", org: "hillside", name: "Tenancy Sustainment Support",
		description: "One-to-one support for up to six months for people who are struggling to manage their tenancy. A support worker can help with bills, benefits, repairs, problems with neighbours and getting furniture, and can visit you at home.",
		eligibility: "Social and private tenants in Calderdale at risk of losing their tenancy.",
		process:     "Referral from a professional, or call us. Self-referrals are welcome.",
		terms:       []string{"HOUSING"}, locs: []string{"hx-hillside"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Office open"}},
		contact: "Tenancy Support Coordinator", funding: []string{"Calderdale Council housing-related support contract"},
	},
	{
		key: "young-peoples-housing", org: "hillside", name: "Young People's Supported Housing",
		description: "Supported accommodation in shared houses and self-contained flats for young people who cannot live at home. Each young person has a key worker who helps with independent living skills, education and work, and moving on to a home of their own.",
		eligibility: "Young people aged 16 to 25 in Calderdale who are homeless or at risk of homelessness.",
		process:     "Referral from Calderdale Council's housing options team or children's services only.",
		minAge:      16, maxAge: 25,
		terms: []string{"HOUSING", "YOUNG-PEOPLE"}, locs: []string{"hx-hillside"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Office hours"}},
		contact: "Youth Housing Manager",
	},
	{
		key: "renters-clinic", org: "hillside", name: "Private Renters' Rights Clinic",
		description: "A weekly evening clinic where private renters can get free advice on deposits, repairs, rent increases and eviction notices. A housing solicitor volunteers at the clinic on the first Monday of each month.",
		eligibility: "Private tenants in Kirklees.",
		process:     "Just turn up. Bring your tenancy agreement and any letters from your landlord.",
		terms:       []string{"HOUSING"}, locs: []string{"hud-library"},
		scheds:      []sched{{days: "MO", opens: "17:30", closes: "19:30", label: "Clinic"}},
		noReferrals: true,
	},
	{
		key: "night-shelter", org: "hillside", name: "Winter Night Shelter",
		description: "Emergency overnight beds for people sleeping rough during the coldest months, with an evening meal and breakfast. Guests are referred by our outreach team and the council's housing options service.",
		eligibility: "Adults sleeping rough in Huddersfield.",
		process:     "Referral from the Rough Sleeper Outreach team or the council's housing options service.",
		minAge:      18, status: "temporarily closed",
		alert: "The night shelter is closed until 1 December 2026. If you are sleeping rough now, call the Rough Sleeper Outreach team.",
		terms: []string{"HOUSING-HOMELESS"}, locs: []string{"hud-stmarks"},
		scheds: []sched{{days: "MO,TU,WE,TH,FR,SA,SU", opens: "20:00", closes: "23:30", label: "Doors open", notes: "Guests stay overnight and leave after breakfast at 8am."}},
	},

	// Clearwater Domestic Abuse Service.
	{
		key: "da-helpline", org: "clearwater", name: "Domestic Abuse Helpline",
		description: "Our free helpline is open 24 hours a day for anyone affected by domestic abuse, and for friends, family and professionals worried about someone. Trained staff can talk through your options, help you plan for your safety and refer you to a refuge or an adviser.",
		eligibility: "Anyone affected by domestic abuse in Kirklees or Calderdale.",
		process:     "Call the helpline at any time, or use webchat on weekdays.",
		alert:       "If you are in immediate danger, call 999. If you cannot speak, call 999 from a mobile and press 55 when prompted.",
		interp:      "Telephone interpreters are available in most languages.",
		terms:       []string{"DOMESTIC-ABUSE"}, helpline: true,
		virtual: &virtualLoc{"Clearwater webchat", "A confidential webchat with a helpline worker. Use the quick exit button if someone comes in.", "/webchat"},
		scheds: []sched{
			{days: "MO,TU,WE,TH,FR,SA,SU", opens: "00:00", closes: "23:59", label: "Helpline"},
			{days: "MO,TU,WE,TH,FR", opens: "10:00", closes: "16:00", label: "Webchat"},
		},
		langs:       []string{"ur", "pa", "pl", "ar"},
		noReferrals: true,
	},
	{
		key: "refuge", org: "clearwater", name: "Clearwater Refuge",
		description: "Safe, confidential refuge accommodation for women and their children escaping domestic abuse. Residents have their own room and support from refuge workers with safety, benefits, children's needs and finding a new home. The address is only shared with referring professionals.",
		eligibility: "Women, with or without children, who need to leave home because of domestic abuse. Boys up to 16 can stay with their mothers.",
		process:     "Referral from a professional, or through our 24-hour helpline.",
		minAge:      16,
		terms:       []string{"DOMESTIC-ABUSE", "HOUSING"}, locs: []string{"hx-refuge"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Refuge staff on site"}, {days: "SA,SU", opens: "10:00", closes: "16:00", label: "Weekend staffing"}},
		langs:   []string{"ur"},
		contact: "Refuge Manager", funding: []string{"Calderdale Council safe accommodation duty funding"},

		professionalsOnly: true,
	},
	{
		key: "idva", org: "clearwater", name: "Independent Domestic Violence Advisers (IDVA)",
		description: "IDVAs support people at high risk of serious harm from a partner, ex-partner or family member. They help with safety planning, court orders, housing and the criminal justice process, and speak for victims at MARAC meetings.",
		eligibility: "People aged 16 and over in Kirklees assessed as high risk, usually with the DASH risk checklist.",
		process:     "Referral from a professional with a completed DASH risk assessment.",
		minAge:      16,
		terms:       []string{"DOMESTIC-ABUSE"}, locs: []string{"dew-clearwater"},
		scheds:     []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Office hours"}},
		langs:      []string{"ur", "pa"},
		contact:    "IDVA Team Manager",
		directLine: true,
		funding:    []string{"Kirklees Council community safety grant", "West Yorkshire victims' services grant"},
	},
	{
		key: "moving-forward", org: "clearwater", name: "Moving Forward Group Programme",
		description: "A free 12-week group for women who have experienced domestic abuse. It helps women understand abusive behaviour, rebuild their confidence and recognise healthy relationships. Groups are small and confidential, and there is a crèche at the Dewsbury group.",
		eligibility: "Women aged 18 and over who are no longer living with the abuser.",
		minAge:      18,
		terms:       []string{"DOMESTIC-ABUSE"}, locs: []string{"dew-westtown", "hx-library"},
		scheds: []sched{
			{loc: "dew-westtown", days: "WE", opens: "10:00", closes: "12:30", label: "Group with crèche"},
			{loc: "hx-library", days: "TH", opens: "18:00", closes: "20:00", label: "Evening group"},
		},
		langs: []string{"ur"},
	},
	{
		key: "children-recovery", org: "clearwater", name: "Children and Young People's Recovery Programme",
		description: "One-to-one and group support for children who have lived with domestic abuse, helping them make sense of what happened and feel safe again. A group for mothers runs at the same time.",
		eligibility: "Children aged 5 to 16 in Kirklees who are no longer living with the abuser.",
		minAge:      5, maxAge: 16,
		terms: []string{"DOMESTIC-ABUSE", "YOUNG-PEOPLE"}, locs: []string{"dew-clearwater"},
		scheds:  []sched{{days: "MO,WE", opens: "15:30", closes: "17:30", label: "After-school sessions"}, {days: "SA", opens: "10:00", closes: "12:00", label: "Group"}},
		contact: "Children's Worker",
	},
	{
		key: "halifax-da-dropin", org: "clearwater", name: "Halifax Domestic Abuse Drop-in",
		description: "A confidential drop-in where you can talk to a Clearwater worker without an appointment. We can help you think through your options, make a safety plan and get advice on housing, money and the law.",
		eligibility: "Anyone affected by domestic abuse in Calderdale.",
		process:     "Just turn up and ask for the Clearwater worker at the library's information desk.",
		terms:       []string{"DOMESTIC-ABUSE"}, locs: []string{"hx-library"},
		scheds:      []sched{{days: "FR", opens: "10:00", closes: "13:00", label: "Drop-in"}},
		noReferrals: true,
	},

	// Pennine Wellbeing Collective, Halifax.
	{
		key: "wellbeing-cafe", org: "pennine", name: "Wellbeing Café",
		description: "A relaxed café where you can have a brew, chat to peer supporters and find out about groups and activities. It is open to anyone who is struggling with their mental health or feeling isolated, and you do not need a referral.",
		eligibility: "Adults in Calderdale.",
		minAge:      18,
		terms:       []string{"MENTAL-HEALTH", "LONELINESS"}, locs: []string{"hx-wellbeing"},
		scheds:  []sched{{days: "TU,TH", opens: "10:00", closes: "14:00", label: "Café open"}, {days: "SA", opens: "11:00", closes: "14:00", label: "Café open"}},
		contact: "Peer Support Coordinator",
	},
	{
		key: "counselling", org: "pennine", name: "Low-cost Counselling",
		description:    "Weekly one-to-one counselling with qualified and trainee counsellors for up to 12 sessions, in person or by phone. We can help with anxiety, low mood, relationship difficulties, stress and bereavement. There is usually a waiting list of around six weeks.",
		eligibility:    "Adults in Calderdale. We are not a crisis service.",
		fees:           "£10 to £30 a session depending on income. A few free places are kept for people on benefits.",
		minAge:         18,
		accreditations: "Our counsellors are members of a professional body and work to its ethical framework.",
		terms:          []string{"MENTAL-HEALTH"}, locs: []string{"hx-wellbeing"},
		scheds:  []sched{{days: "MO,TU,WE,TH", opens: "09:00", closes: "20:00", label: "Appointments"}, {days: "SA", opens: "09:00", closes: "13:00", label: "Appointments"}},
		costs:   []cost{{"Unwaged or on benefits", 10, "Per 50-minute session"}, {"Waged", 30, "Per 50-minute session"}},
		contact: "Counselling Service Manager", funding: []string{"NHS mental health community grant"},
	},
	{
		key: "mens-walk", org: "pennine", name: "Men's Walk and Talk",
		description: "A gentle two-hour walk in and around Halifax for men who want to get out, get active and chat, finishing with a cuppa. Walks are led by trained volunteers and go at the pace of the slowest walker.",
		eligibility: "Men aged 18 and over. Walks are on paths and tracks, with some hills.",
		process:     "Just turn up, or ask your GP or link worker to refer you.",
		minAge:      18,
		terms:       []string{"SOCIAL-RX", "MENTAL-HEALTH"}, locs: []string{"hx-wellbeing"},
		scheds:      []sched{{days: "WE", opens: "10:00", closes: "12:00", label: "Walk from the Wellbeing Centre"}},
		noReferrals: true,
	},
	{
		key: "growing-together", org: "pennine", name: "Growing Together Allotment Group",
		description: "Grow fruit and vegetables, learn new skills and enjoy being outdoors with a friendly group. No experience needed; tools, gloves and refreshments are provided. Produce is shared among the group and with local food banks.",
		eligibility: "Adults in Calderdale, especially people with low mood or anxiety.",
		minAge:      18,
		terms:       []string{"SOCIAL-RX", "MENTAL-HEALTH"}, locs: []string{"hx-allotment"},
		scheds:  []sched{{days: "MO,TH", opens: "10:00", closes: "13:00", label: "Gardening sessions"}},
		contact: "Green Activities Worker", funding: []string{"Pennine Community Foundation green spaces fund"},
	},
	{
		key: "crisis-safe-space", org: "pennine", name: "Evening Crisis Safe Space",
		description: "A calm, non-clinical space for adults in emotional distress, open in the evenings and at weekends when other services are closed. Trained staff and peer workers listen, help you through the crisis and plan what to do next.",
		eligibility: "Adults in Calderdale in emotional distress.",
		process:     "Call first so we can arrange a time to meet you, or be referred by NHS 111, a GP or the police.",
		alert:       "If you have seriously harmed yourself or your life is at risk, call 999 or go to A&E.",
		minAge:      18,
		terms:       []string{"MENTAL-HEALTH"}, locs: []string{"hx-wellbeing"},
		scheds:  []sched{{days: "FR,SA,SU", opens: "18:00", closes: "23:00", label: "Safe Space open"}},
		contact: "Safe Space Lead", funding: []string{"NHS mental health community grant"},
	},
	{
		key: "art-for-wellbeing", org: "pennine", name: "Art for Wellbeing",
		description: "A weekly creative group for adults, using painting, printmaking and collage to relax and connect with others. No artistic experience is needed. Sessions are run by a local artist with a peer support worker.",
		eligibility: "Adults in Calderdale.",
		process:     "Just turn up, or ask your GP or link worker to refer you.",
		fees:        "£2 a session, all materials included",
		minAge:      18,
		terms:       []string{"SOCIAL-RX", "MENTAL-HEALTH"}, locs: []string{"hx-library"},
		scheds:      []sched{{days: "TU", opens: "13:30", closes: "15:30", label: "Art group"}},
		costs:       []cost{{"Per session", 2, "All materials included"}},
		noReferrals: true,
	},
	{
		key: "bereavement-group", org: "pennine", name: "Bereavement Support Group",
		description: "A peer support group for adults who have been bereaved, meeting in the evening at the Wellbeing Centre. The group has now ended; for bereavement support, please ask about our counselling service.",
		eligibility: "Adults in Calderdale who have been bereaved.",
		minAge:      18, status: "inactive",
		terms: []string{"MENTAL-HEALTH"}, locs: []string{"hx-wellbeing"},
		scheds:      []sched{{days: "MO", opens: "18:30", closes: "20:00", label: "Group"}},
		noReferrals: true,
	},

	// Westtown Neighbours Trust, Dewsbury.
	{
		key: "telephone-befriending", org: "westtown", name: "Telephone Befriending",
		description: "A trained volunteer will ring you at the same time each week for a chat. It is a chance to share news, talk about your interests and have something to look forward to. We match people by shared interests and can find befrienders who speak Urdu, Punjabi or Gujarati.",
		eligibility: "People aged 50 and over in north Kirklees who feel lonely or isolated.",
		minAge:      50,
		terms:       []string{"LONELINESS", "OLDER-PEOPLE"},
		scheds:      []sched{{days: "MO,TU,WE,TH,FR", opens: "10:00", closes: "16:00", label: "Befriending calls", notes: "Your befriender rings at the same time each week, at a time that suits you."}},
		langs:       []string{"ur", "pa", "gu"},
		contact:     "Befriending Coordinator", funding: []string{"Pennine Community Foundation loneliness fund"},
	},
	{
		key: "lunch-club", org: "westtown", name: "Westtown Lunch Club",
		description: "A two-course home-cooked lunch followed by bingo, a quiz or a visiting speaker. We can arrange transport for people who cannot get here on their own.",
		eligibility: "People aged 60 and over in Dewsbury.",
		fees:        "£4 for lunch; transport £2 each way",
		minAge:      60,
		terms:       []string{"OLDER-PEOPLE", "LONELINESS", "FOOD"}, locs: []string{"dew-westtown"},
		scheds:  []sched{{days: "WE", opens: "11:30", closes: "14:30", label: "Lunch club"}},
		costs:   []cost{{"Lunch", 4, "Two courses and a hot drink"}, {"Transport", 2, "Each way, in our minibus"}},
		contact: "Lunch Club Organiser",
	},
	{
		key: "carers-coffee", org: "westtown", name: "Carers' Coffee Morning",
		description: "A relaxed coffee morning where unpaid carers can meet others in a similar situation and get information and advice. A carers' support worker comes every week, and we can arrange for someone to sit with the person you look after while you come.",
		eligibility: "Unpaid carers in north Kirklees.",
		terms:       []string{"CARERS"}, locs: []string{"dew-westtown"},
		scheds:  []sched{{days: "FR", opens: "10:00", closes: "12:00", label: "Coffee morning"}},
		langs:   []string{"ur"},
		contact: "Carers' Support Worker",
	},
	{
		key: "digital-dropin", org: "westtown", name: "Digital Help Drop-in",
		description: "Get help with your phone, tablet or laptop from patient volunteers. We can help you set up email, use the NHS App, manage a Universal Credit account online, make video calls and stay safe from scams.",
		eligibility: "Anyone who wants help getting online.",
		process:     "Just turn up with your device.",
		terms:       []string{"DIGITAL"}, locs: []string{"dew-library"},
		scheds:      []sched{{days: "TU", opens: "10:00", closes: "12:00", label: "Drop-in"}, {days: "TH", opens: "14:00", closes: "16:00", label: "Drop-in"}},
		langs:       []string{"ur", "pl"},
		noReferrals: true,
	},
	{
		key: "device-lending", org: "westtown", name: "Device Lending and Free Data",
		description: "We lend tablets and laptops for up to three months and give out free SIM cards with mobile data to people who cannot afford to get online. Every loan comes with a session with a volunteer to help you get started.",
		eligibility: "Adults on a low income in north Kirklees with no device or internet access at home.",
		terms:       []string{"DIGITAL"}, locs: []string{"dew-library"},
		scheds:  []sched{{days: "TU", opens: "10:00", closes: "12:00", label: "Collect a device"}},
		contact: "Digital Inclusion Officer", funding: []string{"Pennine Community Foundation digital inclusion fund"},
	},
	{
		key: "chair-exercise", org: "westtown", name: "Chair-based Exercise",
		description: "Gentle seated exercises to music to improve strength, balance and mobility, led by a qualified instructor. Suitable for people with limited mobility or recovering from a fall.",
		eligibility: "People aged 55 and over. Please tell the instructor about any health conditions.",
		process:     "Just turn up, or ask your GP or link worker to refer you.",
		fees:        "£2 a session",
		minAge:      55,
		terms:       []string{"OLDER-PEOPLE", "SOCIAL-RX"}, locs: []string{"dew-westtown"},
		scheds:      []sched{{days: "MO", opens: "14:00", closes: "15:00", label: "Class"}},
		costs:       []cost{{"Per session", 2, "Tea and biscuits included"}},
		noReferrals: true,
	},
	{
		key: "young-carers", org: "westtown", name: "Young Carers Group",
		description: "Fun activities, trips and a break from caring for young people who help look after someone at home. Young carers can also get one-to-one support and help talking to their school.",
		eligibility: "Young carers aged 8 to 17 in north Kirklees.",
		process:     "Referral from a professional, or a parent or carer can call us.",
		minAge:      8, maxAge: 17,
		terms: []string{"CARERS", "YOUNG-PEOPLE"}, locs: []string{"dew-westtown"},
		scheds:  []sched{{days: "TH", opens: "16:00", closes: "18:00", label: "Term-time group", notes: "No group during school holidays; we run trips instead."}},
		contact: "Young Carers Worker",
	},
	{
		key: "home-from-hospital", org: "westtown", name: "Home from Hospital Support",
		description: "Practical and emotional support for up to six weeks for older people coming home after a stay in hospital. Volunteers can collect shopping and prescriptions, make sure the house is warm and check in by phone.",
		eligibility: "People aged 60 and over in north Kirklees leaving hospital.",
		process:     "Referral from hospital discharge teams, GPs or social care, or call us.",
		minAge:      60,
		terms:       []string{"OLDER-PEOPLE"}, locs: []string{"dew-westtown"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Office hours"}},
		contact: "Home from Hospital Coordinator", funding: []string{"NHS hospital discharge grant"},
	},

	// Shibden Welcome Project, Halifax.
	{
		key: "asylum-advice", org: "shibden", name: "Asylum and Immigration Advice Drop-in",
		description: "Free advice for people seeking asylum and refugees on asylum support, the asylum process, family reunion and moving on from Home Office accommodation. Our caseworkers are regulated to give immigration advice. Interpreters are available.",
		eligibility: "People seeking asylum and refugees living in Calderdale.",
		interp:      "Face-to-face and telephone interpreters are available; please tell us your language when you arrive.",
		terms:       []string{"REFUGEES"}, locs: []string{"hx-welcome"},
		scheds:  []sched{{days: "TU,TH", opens: "10:00", closes: "13:00", label: "Drop-in"}},
		langs:   []string{"ar", "ku", "fa", "ti"},
		contact: "Immigration Caseworker",
	},
	{
		key: "english-conversation", org: "shibden", name: "English Conversation Classes",
		description: "Informal English conversation classes for all levels, run by volunteer teachers. A good way to practise speaking and make friends while you wait for a college place. Free bus tickets are available for people seeking asylum.",
		eligibility: "Anyone whose first language is not English.",
		process:     "Just turn up at the start of a class.",
		terms:       []string{"REFUGEES", "EMPLOYMENT"}, locs: []string{"hx-library"},
		scheds:      []sched{{days: "MO,WE", opens: "13:00", closes: "15:00", label: "Classes"}},
		langs:       []string{"ar", "ku", "fa"},
		noReferrals: true,
	},
	{
		key: "refugee-family-support", org: "shibden", name: "Refugee Family Support",
		description: "Caseworkers help newly arrived families settle in Calderdale: registering with a GP, finding school places, opening a bank account and applying for benefits after a grant of refugee status.",
		eligibility: "Refugee families who have arrived in Calderdale in the last two years.",
		terms:       []string{"REFUGEES", "YOUNG-PEOPLE"}, locs: []string{"hx-welcome"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR", opens: "09:30", closes: "16:30", label: "By appointment"}},
		langs:   []string{"ar", "ku", "fa", "ti"},
		contact: "Family Support Worker", funding: []string{"Calderdale Council resettlement grant"},
	},
	{
		key: "clothing-bank", org: "shibden", name: "Clothing and Baby Bank",
		description: "Free clothes, shoes, toiletries and baby equipment such as prams, cots and nappies for families who need them. Donations are sorted by volunteers and you can choose what you need.",
		eligibility: "Refugees, people seeking asylum and other families on a low income in Calderdale.",
		process:     "Just turn up. Professionals can call ahead for larger items.",
		terms:       []string{"REFUGEES"}, locs: []string{"hx-welcome"},
		scheds:      []sched{{days: "WE", opens: "10:00", closes: "13:00", label: "Clothing bank open"}},
		noReferrals: true,
	},
	{
		key: "womens-welcome", org: "shibden", name: "Women's Welcome Group",
		description: "A friendly weekly group where refugee and asylum-seeking women meet, share food, practise English and take part in crafts and trips. Children under five are welcome and there is a crèche.",
		eligibility: "Refugee and asylum-seeking women in Calderdale.",
		terms:       []string{"REFUGEES", "LONELINESS"}, locs: []string{"hx-welcome"},
		scheds: []sched{{days: "FR", opens: "10:00", closes: "12:30", label: "Group"}},
		langs:  []string{"ar", "ku", "fa", "ti"},
	},
	{
		key: "dewsbury-refugee-dropin", org: "shibden", name: "Dewsbury Refugee Drop-in",
		description: "A weekly drop-in in Ravensthorpe for refugees and people seeking asylum living in north Kirklees. Get help with letters, asylum support, health and housing, and meet others over a hot drink.",
		eligibility: "Refugees and people seeking asylum in north Kirklees.",
		terms:       []string{"REFUGEES"}, locs: []string{"dew-ravensthorpe"},
		scheds: []sched{{days: "WE", opens: "13:00", closes: "16:00", label: "Drop-in"}},
		langs:  []string{"ar", "ku", "ur"},
	},

	// Calder Youth Works.
	{
		key: "halifax-youth-club", org: "calderyouth", name: "Halifax Youth Club",
		description: "An open-access youth club with pool, table tennis, a music studio, cooking and a hot meal. Youth workers are always around if young people want to talk about anything.",
		eligibility: "Young people aged 11 to 18.",
		process:     "Just turn up. A parent or carer fills in a consent form on the first visit.",
		minAge:      11, maxAge: 18,
		terms: []string{"YOUNG-PEOPLE"}, locs: []string{"hx-youth"},
		scheds: []sched{{days: "MO,WE", opens: "18:00", closes: "21:00", label: "Youth club"}, {days: "FR", opens: "18:00", closes: "21:30", label: "Late session"}},

		noReferrals: true,
	},
	{
		key: "youth-mental-health", org: "calderyouth", name: "Youth Mental Health Drop-in",
		description: "Drop in to talk to a youth worker or counsellor about stress, anxiety, low mood, self-harm or anything else on your mind. No appointment or referral needed, and you will be seen the same day.",
		eligibility: "Young people aged 13 to 25.",
		minAge:      13, maxAge: 25,
		terms: []string{"YOUNG-PEOPLE", "MENTAL-HEALTH"}, locs: []string{"hx-youth", "hud-fartown"},
		scheds: []sched{
			{loc: "hx-youth", days: "TU", opens: "15:30", closes: "18:30", label: "Drop-in"},
			{loc: "hud-fartown", days: "TH", opens: "15:30", closes: "18:30", label: "Drop-in"},
		},
		contact: "Youth Wellbeing Lead", funding: []string{"NHS children and young people's mental health grant"},
	},
	{
		key: "job-club", org: "calderyouth", name: "Job Club and CV Support",
		description: "Get help to write a CV, search and apply for jobs online and prepare for interviews. Computers and printing are free for job seekers.",
		eligibility: "Anyone aged 16 and over looking for work in Calderdale.",
		process:     "Just turn up.",
		minAge:      16,
		terms:       []string{"EMPLOYMENT"}, locs: []string{"hx-library"},
		scheds:      []sched{{days: "TU,TH", opens: "09:30", closes: "12:30", label: "Job club"}},
		noReferrals: true,
	},
	{
		key: "routes-into-work", org: "calderyouth", name: "Routes into Work (16 to 24)",
		description: "A 10-week programme for young people who are not in education, employment or training. It includes a qualification, work tasters with local employers and a mentor, and we pay travel costs.",
		eligibility: "Young people aged 16 to 24 who are not in education, employment or training.",
		minAge:      16, maxAge: 24,
		terms: []string{"EMPLOYMENT", "YOUNG-PEOPLE"}, locs: []string{"hx-youth", "hud-paddock"},
		scheds: []sched{
			{loc: "hx-youth", days: "MO,TU,WE,TH", opens: "10:00", closes: "15:00", label: "Programme days"},
			{loc: "hud-paddock", days: "TU,WE", opens: "10:00", closes: "15:00", label: "Programme days"},
		},
		contact: "Employability Coordinator", funding: []string{"UK Shared Prosperity Fund, through Calderdale Council"},
	},
	{
		key: "huddersfield-youth-hub", org: "calderyouth", name: "Huddersfield Youth Hub",
		description: "A youth centre in Paddock with sports, games, arts and cooking, plus groups for young women and LGBTQ+ young people. Youth workers can give one-to-one support and help with school, college or problems at home.",
		eligibility: "Young people aged 11 to 19, or up to 25 with special educational needs or disabilities.",
		process:     "Just turn up. A parent or carer fills in a consent form on the first visit.",
		minAge:      11, maxAge: 25,
		terms: []string{"YOUNG-PEOPLE"}, locs: []string{"hud-paddock"},
		scheds: []sched{{days: "TU,TH", opens: "18:00", closes: "21:00", label: "Youth sessions"}, {days: "SA", opens: "13:00", closes: "16:00", label: "Youth sessions"}},

		noReferrals: true,
	},
	{
		key: "care-leavers", org: "calderyouth", name: "Care Leavers Support",
		description: "Practical and emotional support for young people leaving care, from setting up a first home to managing money and staying in education or work. A mentor meets you every week for up to a year.",
		eligibility: "Care leavers aged 16 to 25 in Calderdale.",
		process:     "Referral from a personal adviser or social worker.",
		minAge:      16, maxAge: 25,
		terms: []string{"YOUNG-PEOPLE", "HOUSING"}, locs: []string{"hx-youth"},
		scheds:  []sched{{days: "MO,TU,WE,TH,FR", opens: "10:00", closes: "17:00", label: "By appointment"}},
		contact: "Care Leavers Mentor",
		draft:   true,
	},

	// Kirklees Council Community Connect Team.
	{
		key: "social-prescribing", org: "kirklees", name: "Social Prescribing Link Workers",
		description: "Link workers spend time with you to find out what matters to you and connect you with local groups, activities and services that can help, from walking groups to debt advice. Most people are referred by their GP practice, but you can also refer yourself or come to a drop-in.",
		eligibility: "Adults registered with a GP practice in Kirklees.",
		minAge:      18,
		terms:       []string{"SOCIAL-RX", "MENTAL-HEALTH"}, locs: []string{"dew-savile", "hud-fartown"},
		scheds: []sched{
			{loc: "dew-savile", days: "MO", opens: "09:30", closes: "12:00", label: "Drop-in with a link worker"},
			{loc: "hud-fartown", days: "TU", opens: "13:00", closes: "15:30", label: "Drop-in with a link worker"},
		},
		langs:   []string{"ur", "pa"},
		contact: "Social Prescribing Team Leader", funding: []string{"NHS primary care network funding"},
	},
	{
		key: "welfare-rights", org: "kirklees", name: "Welfare Rights Service",
		description: "The council's welfare rights officers give specialist advice on complex benefit problems, including Universal Credit, disability benefits and benefits for people from abroad, and can represent people at tribunals. Professionals can also call us for second-tier advice.",
		eligibility: "Residents of Kirklees with a complex benefits problem.",
		terms:       []string{"MONEY-BENEFITS"}, locs: []string{"hud-library", "dew-library"},
		scheds: []sched{
			{loc: "hud-library", days: "MO,WE", opens: "10:00", closes: "16:00", label: "Appointments"},
			{loc: "dew-library", days: "TU", opens: "10:00", closes: "16:00", label: "Appointments"},
		},
		interp:  "Telephone interpreters are available for appointments.",
		contact: "Welfare Rights Manager",
	},
	{
		key: "carers-assessment", org: "kirklees", name: "Carers' Assessment and Support",
		description: "If you look after someone who could not manage without your help, you have a right to a carer's assessment. We will talk with you about your needs and can arrange breaks, carers' grants, an emergency plan and support groups.",
		eligibility: "Unpaid carers aged 18 and over who look after someone living in Kirklees.",
		process:     "Call us, fill in the online self-assessment, or ask a professional to refer you.",
		minAge:      18,
		terms:       []string{"CARERS"},
		virtual:     &virtualLoc{"Carers' online self-assessment", "Start a carer's assessment online; a worker will call you back within ten working days.", "/carers/assessment"},
		scheds:      []sched{{days: "MO,TU,WE,TH,FR", opens: "08:30", closes: "17:00", label: "Phone lines open"}},
		contact:     "Carers' Lead",
	},
	{
		key: "crisis-support-grants", org: "kirklees", name: "Crisis Support Grants",
		description: "One-off help with the cost of food, energy and essential household items for households on a low income in Kirklees. Apply online, or ask an advice agency, school or housing officer to apply for you. Awards are usually paid as supermarket or energy vouchers within ten working days.",
		eligibility: "Kirklees households on a low income facing a crisis or an unexpected cost.",
		process:     "Apply online at any time, or a professional can apply on someone's behalf.",
		terms:       []string{"MONEY", "FOOD"},
		virtual:     &virtualLoc{"Crisis Support Grants online application", "The online application form. It takes about 20 minutes.", "/crisis-support/apply"},
		scheds:      []sched{{days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Phone help with applications"}},
		funding:     []string{"Kirklees Council crisis and resilience funding"},
	},
	{
		key: "digital-champions", org: "kirklees", name: "Digital Champions at Kirklees Libraries",
		description: "Trained Digital Champions give free one-to-one help with getting online, from using a smartphone to filling in forms on GOV.UK. Free public computers and Wi-Fi are available in every library.",
		eligibility: "Anyone who lives, works or studies in Kirklees.",
		process:     "Book at any library or just turn up.",
		terms:       []string{"DIGITAL"}, locs: []string{"hud-library", "dew-library"},
		scheds: []sched{
			{loc: "hud-library", days: "WE", opens: "14:00", closes: "16:00", label: "Digital Champions session"},
			{loc: "dew-library", days: "FR", opens: "10:00", closes: "12:00", label: "Digital Champions session"},
		},
		noReferrals: true,
	},
	{
		key: "adult-learning", org: "kirklees", name: "Adult Learning: English and Maths",
		description: "Free part-time courses in English, maths and ESOL for adults who want to improve their skills for work or everyday life, from beginner to GCSE level. Courses run in term time and you can join at several points in the year.",
		eligibility: "Adults aged 19 and over living in Kirklees who do not yet have a GCSE grade 4 (C) in English or maths.",
		process:     "Call us or come to an enrolment session at the library. Professionals can refer.",
		minAge:      19,
		terms:       []string{"EMPLOYMENT"}, locs: []string{"dew-library"},
		scheds:  []sched{{days: "MO,WE", opens: "09:30", closes: "12:00", label: "Morning classes"}, {days: "TU", opens: "18:00", closes: "20:30", label: "Evening class"}},
		contact: "Adult Learning Coordinator", funding: []string{"Adult Skills Fund"},
	},
	{
		key: "warm-spaces", org: "kirklees", name: "Warm Spaces at Kirklees Libraries",
		description: "Free, warm and welcoming spaces in libraries over the winter, with hot drinks, newspapers, Wi-Fi and activities. Staff can tell you about help with energy bills and other support.",
		eligibility: "Everyone is welcome.",
		process:     "Just turn up.",
		status:      "temporarily closed",
		alert:       "Warm Spaces reopen on 2 November 2026 for the winter.",
		terms:       []string{"OLDER-PEOPLE", "LONELINESS"}, locs: []string{"hud-library", "dew-library"},
		scheds: []sched{
			{loc: "hud-library", days: "MO,TU,WE,TH,FR,SA", opens: "10:00", closes: "16:00", label: "Warm Space open"},
			{loc: "dew-library", days: "MO,TU,WE,TH,FR", opens: "10:00", closes: "16:00", label: "Warm Space open"},
		},
		noReferrals: true,
	},

	// Northlight Recovery.
	{
		key: "recovery-service", org: "northlight", name: "Drug and Alcohol Recovery Service",
		description: "Free, confidential treatment and support for adults who want to change their drug or alcohol use. We offer assessment, prescribing, detox planning, one-to-one key working and recovery groups.",
		eligibility: "Adults in Kirklees and Calderdale who are worried about their drug or alcohol use.",
		process:     "Self-referral by phone or at a drop-in, or referral from a professional.",
		minAge:      18,
		terms:       []string{"SUBSTANCE"}, locs: []string{"hud-bradley", "hx-northlight"},
		scheds: []sched{
			{loc: "hud-bradley", days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Open"},
			{loc: "hud-bradley", days: "TH", opens: "17:00", closes: "19:30", label: "Late appointments"},
			{loc: "hx-northlight", days: "MO,TU,WE,TH,FR", opens: "09:00", closes: "17:00", label: "Open"},
		},
		langs:   []string{"pl", "ur"},
		contact: "Referrals Coordinator", funding: []string{"Public health drug and alcohol treatment grant"},
	},
	{
		key: "harm-reduction", org: "northlight", name: "Needle Exchange and Harm Reduction",
		description: "Free sterile injecting equipment, naloxone and safe disposal, with advice on safer use and testing for blood-borne viruses. No appointment or referral is needed and you do not have to give your full name.",
		eligibility: "Adults who use drugs.",
		process:     "Just turn up.",
		minAge:      18,
		terms:       []string{"SUBSTANCE"}, locs: []string{"hud-bradley", "hx-northlight"},
		scheds: []sched{
			{loc: "hud-bradley", days: "MO,TU,WE,TH,FR", opens: "10:00", closes: "16:00", label: "Drop-in"},
			{loc: "hx-northlight", days: "MO,WE,FR", opens: "10:00", closes: "16:00", label: "Drop-in"},
		},
		noReferrals: true,
	},
	{
		key: "family-friends-group", org: "northlight", name: "Family and Friends Support Group",
		description: "A weekly evening group for people affected by a loved one's drinking or drug use. Share experiences in confidence, learn ways of coping and find out about naloxone.",
		eligibility: "Adults affected by someone else's drug or alcohol use.",
		process:     "Just turn up, or call us first if you would like to talk.",
		minAge:      18,
		terms:       []string{"SUBSTANCE", "CARERS"}, locs: []string{"hud-lindley"},
		scheds:      []sched{{days: "TU", opens: "18:30", closes: "20:30", label: "Group"}},
		noReferrals: true,
	},
	{
		key: "recovery-cafe", org: "northlight", name: "Recovery Café",
		description: "An alcohol- and drug-free café run by people in recovery, open at weekends when many services are closed. Come for a meal, mutual aid meetings and activities.",
		eligibility: "Anyone in or thinking about recovery, and their families.",
		process:     "Just turn up.",
		fees:        "Drinks free; hot meals £2.50",
		terms:       []string{"SUBSTANCE", "LONELINESS"}, locs: []string{"hx-northlight"},
		scheds:      []sched{{days: "SA", opens: "12:00", closes: "16:00", label: "Café open"}, {days: "SU", opens: "12:00", closes: "15:00", label: "Café open"}},
		costs:       []cost{{"Hot meal", 2.5, "Drinks are free"}},
		noReferrals: true,
	},

	// Ability Hub Calderdale.
	{
		key: "disability-advice", org: "abilityhub", name: "Disability Rights and Benefits Advice",
		description: "Advice from disabled advisers on disability benefits, Blue Badges, social care charges, reasonable adjustments at work and discrimination. We can help you fill in forms and challenge decisions.",
		eligibility: "Disabled people and their carers in Calderdale.",
		interp:      "British Sign Language interpreters on request.",
		terms:       []string{"DISABILITY", "MONEY-BENEFITS"}, locs: []string{"hx-abilityhub"},
		scheds:  []sched{{days: "MO,TU,TH", opens: "10:00", closes: "15:00", label: "Advice appointments"}},
		contact: "Advice Services Manager", funding: []string{"Calderdale Council advice services grant"},
	},
	{
		key: "equipment-loans", org: "abilityhub", name: "Wheelchair and Mobility Equipment Loans",
		description: "Short-term loans of manual wheelchairs, walking frames, rollators and bathing aids for up to 12 weeks, for example after an operation or for a holiday. You can also try equipment here before you buy it.",
		eligibility: "Anyone living in Calderdale.",
		process:     "Call us to check what is available, then collect from the Hub.",
		fees:        "Loans are free; we ask for a £20 refundable deposit for wheelchairs.",
		terms:       []string{"DISABILITY", "OLDER-PEOPLE"}, locs: []string{"hx-abilityhub"},
		scheds:      []sched{{days: "MO,TU,WE,TH,FR", opens: "10:00", closes: "16:00", label: "Equipment store open"}},
		costs:       []cost{{"Wheelchair deposit", 20, "Refunded when the wheelchair is returned"}},
		noReferrals: true,
	},
	{
		key: "inclusive-sports", org: "abilityhub", name: "Inclusive Sports Sessions",
		description: "Wheelchair basketball, boccia, new age kurling and seated volleyball for disabled people of all abilities, with qualified coaches. Sports wheelchairs are provided.",
		eligibility: "Disabled people aged 14 and over. Carers and personal assistants come free.",
		process:     "Just turn up, or ask your GP or link worker to refer you.",
		fees:        "£3 a session; carers and personal assistants free",
		minAge:      14,
		terms:       []string{"DISABILITY", "SOCIAL-RX"}, locs: []string{"hx-sports"},
		scheds:      []sched{{days: "TU", opens: "18:00", closes: "20:00", label: "Evening session"}, {days: "SA", opens: "10:00", closes: "12:00", label: "Morning session"}},
		costs:       []cost{{"Per session", 3, "Carers and personal assistants free"}},
		noReferrals: true,
	},
	{
		key: "friendship-group", org: "abilityhub", name: "Learning Disability Friendship Group",
		description: "A social group for adults with learning disabilities to make friends, try new activities and go on trips. Members plan the programme together with help from our support workers.",
		eligibility: "Adults with a learning disability in Calderdale.",
		minAge:      18,
		terms:       []string{"DISABILITY", "LONELINESS"}, locs: []string{"hx-abilityhub"},
		scheds:  []sched{{days: "WE", opens: "13:00", closes: "16:00", label: "Group"}},
		contact: "Community Activities Worker",
	},
	{
		key: "sensory-support", org: "abilityhub", name: "Sensory Support Service",
		description: "Advice and equipment for people who are Deaf, hard of hearing or living with sight loss, including demonstrations of aids for daily living and help to apply for support. We offer appointments in British Sign Language.",
		eligibility: "People with hearing or sight loss in Calderdale.",
		interp:      "Appointments in British Sign Language are available.",
		terms:       []string{"DISABILITY"}, locs: []string{"hx-abilityhub"},
		scheds:  []sched{{days: "TH", opens: "10:00", closes: "16:00", label: "Appointments"}},
		contact: "Sensory Support Worker",
		draft:   true,
	},
}

// contactNames are invented names given to service contacts in order.
var contactNames = []string{
	"Sarah Whitworth", "Imran Hussain", "Joanne Haigh", "Tariq Mahmood", "Claire Sutcliffe",
	"Agnieszka Nowak", "David Armitage", "Nasreen Akhtar", "Paul Crowther", "Helen Brook",
	"Mohammed Iqbal", "Rachel Dyson", "Gurpreet Kaur", "Andrew Firth", "Samira Haddad",
	"Lisa Greenwood", "Kamran Ali", "Emma Lockwood", "Mark Holroyd", "Fatima Begum",
	"Katie Shaw", "Yusuf Patel", "Gemma Senior", "Steven Marsden", "Zainab Rashid",
	"Louise Hirst", "Daniel Ackroyd", "Amina Yusuf", "Peter Mellor", "Hannah Booth",
	"Adeel Khan", "Sophie Barraclough", "Tomasz Kowalski", "Ruth Wadsworth", "Bilal Chaudhry",
	"Jenny Pickles", "Robert Stansfield", "Shazia Parveen", "Naomi Firth", "Ahmed Osman",
	"Karen Beaumont", "Laura Jagger", "Asif Rehman", "Olivia Kershaw", "Nadia Saleem",
	"Ian Dearden", "Bethany Hanson", "Zoe Fielding", "Rizwan Hussain", "Julie Crossley",
}

// languageNames gives the English name of each ISO 639-1 code used.
var languageNames = map[string]string{
	"en": "English",
	"ur": "Urdu",
	"pa": "Punjabi",
	"gu": "Gujarati",
	"pl": "Polish",
	"ar": "Arabic",
	"ku": "Kurdish",
	"fa": "Persian (Farsi)",
	"ti": "Tigrinya",
}
