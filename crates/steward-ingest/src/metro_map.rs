//! Which of our metros a member belongs to: their worksite's, else their zip code's.

use steward_domain::Metro;

/// Three-digit zip prefixes of each metro's area (the core counties).
const ZIP3: &[(Metro, &[&str])] = &[
    (Metro::Boston, &["017", "018", "019", "020", "021", "022", "023", "024"]),
    (Metro::Chicago, &["600", "601", "602", "603", "604", "605", "606", "607", "608"]),
    (
        Metro::LosAngeles,
        &[
            "900", "901", "902", "903", "904", "905", "906", "907", "908", "910", "911", "912", "913", "914", "915",
            "916", "917", "918", "935",
        ],
    ),
    (
        Metro::NewYork,
        &[
            "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114",
            "116", "070", "071", "072", "073", "074", "075", "076",
        ],
    ),
    (Metro::Phoenix, &["850", "851", "852", "853", "855", "856", "857"]),
    (Metro::Seattle, &["980", "981", "982", "983", "984"]),
    (Metro::SfBayArea, &["940", "941", "943", "944", "945", "946", "947", "948", "949", "950", "951"]),
    (
        Metro::WashingtonDc,
        &["200", "201", "202", "203", "204", "205", "206", "207", "208", "209", "220", "221", "222", "223"],
    ),
    (Metro::SanDiego, &["919", "920", "921"]),
];

pub fn from_zip3(zip3: [u8; 3]) -> Option<Metro> {
    let z = std::str::from_utf8(&zip3).ok()?;
    ZIP3.iter().find(|(_, prefixes)| prefixes.contains(&z)).map(|(m, _)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_core_zips_and_leaves_the_rest() {
        assert_eq!(from_zip3(*b"981"), Some(Metro::Seattle));
        assert_eq!(from_zip3(*b"021"), Some(Metro::Boston));
        assert_eq!(from_zip3(*b"303"), None);
    }
}
