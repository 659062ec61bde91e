package main

// taxonomyName, taxonomyDescription and taxonomyURI describe the one demo
// taxonomy. Its id is derived from the fixed key "demo" like every other id.
const (
	taxonomyKey         = "demo"
	taxonomyName        = "Community Referrals demo categories"
	taxonomyDescription = "A small set of categories that caseworkers in Kirklees and Calderdale use to find local support, made up for the demo directory."
	taxonomyURI         = "https://example.org.uk/taxonomy/demo"
	taxonomyVersion     = "1.0"
)

// term is one taxonomy term. Parents come before their children.
type term struct {
	code, parent, name, description string
}

var terms = []term{
	{code: "MONEY", name: "Money", description: "Help with money, budgeting, grants and the cost of living."},
	{code: "MONEY-DEBT", parent: "MONEY", name: "Debt advice", description: "Free advice on dealing with debts, arrears and creditors."},
	{code: "MONEY-BENEFITS", parent: "MONEY", name: "Benefits advice", description: "Help to claim benefits, challenge decisions and appeal to a tribunal."},
	{code: "FOOD", name: "Food", description: "Emergency food, low-cost groceries and community meals."},
	{code: "FOOD-BANK", parent: "FOOD", name: "Food banks", description: "Emergency food parcels, usually with a voucher from a referral partner."},
	{code: "FOOD-PANTRY", parent: "FOOD", name: "Community pantries", description: "Low-cost membership food stores where people choose their own groceries."},
	{code: "HOUSING", name: "Housing", description: "Advice and support to find a home or keep the one you have."},
	{code: "HOUSING-HOMELESS", parent: "HOUSING", name: "Homelessness", description: "Support for people who are homeless, sleeping rough or at risk of homelessness."},
	{code: "DOMESTIC-ABUSE", name: "Domestic abuse", description: "Safety planning, refuge, advocacy and recovery for people affected by domestic abuse."},
	{code: "MENTAL-HEALTH", name: "Mental health and wellbeing", description: "Peer support, counselling and crisis support for people struggling with their mental health."},
	{code: "CARERS", name: "Carers", description: "Support, breaks and advice for unpaid carers of all ages."},
	{code: "EMPLOYMENT", name: "Employment and skills", description: "Help to find work, learn new skills and gain qualifications."},
	{code: "DIGITAL", name: "Digital inclusion", description: "Help to get online, with devices, data and digital skills."},
	{code: "LONELINESS", name: "Befriending and loneliness", description: "Befriending, social groups and activities for people who feel lonely or isolated."},
	{code: "YOUNG-PEOPLE", name: "Young people", description: "Services for children and young people up to the age of 25."},
	{code: "OLDER-PEOPLE", name: "Older people", description: "Services for people in later life and those who support them."},
	{code: "SUBSTANCE", name: "Drugs and alcohol", description: "Treatment, harm reduction and recovery support for drug and alcohol use."},
	{code: "REFUGEES", name: "Refugees and asylum seekers", description: "Advice, welcome and practical help for refugees and people seeking asylum."},
	{code: "DISABILITY", name: "Disability", description: "Advice, equipment and activities for disabled people."},
	{code: "SOCIAL-RX", name: "Social prescribing activities", description: "Groups and activities that GPs and link workers refer people to, such as walking, gardening and arts."},
}
