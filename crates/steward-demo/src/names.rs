//! Invented names. Company stems and surnames are built from syllables so that no demo
//! employer or person carries a real company's or person's name.

use crate::rng::Rng;

const STEM_HEADS: &[&str] = &[
    "Zorv", "Velq", "Quam", "Trov", "Brisq", "Ulm", "Pexa", "Dranv", "Yot", "Snel", "Crov", "Gwim", "Fask", "Jorv",
    "Nixa", "Ospr", "Plon", "Rasq", "Tesk", "Wubr",
];
const STEM_TAILS: &[&str] = &[
    "athe", "elle", "orin", "umbra", "exa", "ivo", "ondo", "aphe", "ekka", "ysta", "urne", "eldo", "iqua", "ovar",
    "unth", "ixel", "esto", "anko", "oova", "avir",
];

/// (industry, words that suit an employer in it)
pub const INDUSTRIES: &[(&str, &[&str])] = &[
    ("technology", &["Systems", "Software", "Labs", "Cloudworks", "Data"]),
    ("financial_services", &["Capital", "Financial", "Trust", "Partners"]),
    ("media", &["Media", "Studios", "Publishing", "Broadcast"]),
    ("retail", &["Outfitters", "Markets", "Goods", "Supply"]),
    ("professional_services", &["Consulting", "Advisory", "Group", "Associates"]),
    ("manufacturing", &["Manufacturing", "Industries", "Works", "Fabrication"]),
    ("logistics", &["Freight", "Logistics", "Transit", "Shipping"]),
    ("hospitality", &["Hospitality", "Hotels", "Kitchens", "Travel"]),
    ("education", &["Learning", "Academy", "Education"]),
    ("biotech", &["Biosciences", "Therapeutics", "Genomics"]),
    ("energy", &["Energy", "Power", "Renewables"]),
    ("consumer_goods", &["Brands", "Home", "Foods", "Apparel"]),
];

pub fn company_stem(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(STEM_HEADS), rng.pick(STEM_TAILS))
}

/// A company name for `industry` (an index into [`INDUSTRIES`]).
pub fn company(rng: &mut Rng, industry: usize) -> String {
    let stem = company_stem(rng);
    format!("{stem} {}", rng.pick(INDUSTRIES[industry].1))
}

const FIRST: &[&str] = &[
    "Ava", "Ben", "Cleo", "Dev", "Elena", "Felix", "Gia", "Hugo", "Iris", "Jonah", "Kira", "Leo", "Maya", "Nico",
    "Opal", "Priya", "Quinn", "Rosa", "Sami", "Theo", "Uma", "Vik", "Wren", "Xavi", "Yara", "Zeke", "Ada", "Bo",
    "Cyrus", "Dara", "Emil", "Fern", "Gus", "Hana", "Ivo", "June", "Kai", "Lena", "Milo", "Nia", "Omar", "Pia",
];
const SUR_HEADS: &[&str] = &[
    "Al", "Bren", "Cor", "Dal", "Ev", "Fen", "Gar", "Hal", "Is", "Jor", "Kel", "Lin", "Mor", "Nor", "Or", "Pel",
    "Quin", "Ros", "Sel", "Tor", "Ul", "Var", "Wyn", "Yel", "Zan",
];
const SUR_TAILS: &[&str] =
    &["wick", "ridge", "mere", "brook", "vane", "holt", "stead", "worth", "dell", "crest", "fallow", "lark"];

pub fn first_name(rng: &mut Rng) -> &'static str {
    rng.pick::<&str>(FIRST)
}

pub fn surname(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SUR_HEADS), rng.pick(SUR_TAILS))
}

const STREET_KINDS: &[&str] = &["St", "Ave", "Rd", "Way", "Ln", "Blvd"];

pub fn street(rng: &mut Rng) -> String {
    format!("{} {} {}", rng.range(10, 9899), company_stem(rng), rng.pick(STREET_KINDS))
}

const TITLES: &[(&str, steward_domain::ContactRole)] = &[
    ("Chief People Officer", steward_domain::ContactRole::ExecutiveSponsor),
    ("VP Total Rewards", steward_domain::ContactRole::DecisionMaker),
    ("Director of Benefits", steward_domain::ContactRole::DecisionMaker),
    ("Benefits Manager", steward_domain::ContactRole::HrBenefits),
    ("Wellness Program Lead", steward_domain::ContactRole::Champion),
    ("HR Business Partner", steward_domain::ContactRole::HrBenefits),
    ("Benefits Consultant (broker)", steward_domain::ContactRole::BrokerConsultant),
    ("Finance Director", steward_domain::ContactRole::Finance),
    ("Office Manager", steward_domain::ContactRole::Other),
];

pub fn contact_titles() -> &'static [(&'static str, steward_domain::ContactRole)] {
    TITLES
}
