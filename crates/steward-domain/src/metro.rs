use crate::text_enum::text_enum;

text_enum! {
    /// The nine metros with our clinics, plus `other` for anywhere else (virtual care).
    pub enum Metro ("metro") {
        Boston = "boston",
        Chicago = "chicago",
        LosAngeles = "los_angeles",
        NewYork = "new_york",
        Phoenix = "phoenix",
        Seattle = "seattle",
        SfBayArea = "sf_bay_area",
        WashingtonDc = "washington_dc",
        SanDiego = "san_diego",
        Other = "other",
    }
}

impl Metro {
    pub fn display_name(self) -> &'static str {
        match self {
            Metro::Boston => "Boston",
            Metro::Chicago => "Chicago",
            Metro::LosAngeles => "Los Angeles",
            Metro::NewYork => "New York",
            Metro::Phoenix => "Phoenix",
            Metro::Seattle => "Seattle",
            Metro::SfBayArea => "San Francisco Bay Area",
            Metro::WashingtonDc => "Washington DC",
            Metro::SanDiego => "San Diego",
            Metro::Other => "Other",
        }
    }

    /// The metros where we run clinics (all but `other`).
    pub fn served() -> &'static [Metro] {
        &Metro::ALL[..9]
    }
}
