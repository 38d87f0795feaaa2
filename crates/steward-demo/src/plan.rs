//! The shape of each demo account before any row is written: size, metros, timeline,
//! contracts and renewal outcomes, and the latent health that drives all of them.

use crate::rng::Rng;
use crate::{DemoConfig, Scale};
use chrono::{Days, Months, NaiveDate};
use steward_domain::{AccountStatus, Metro, Month, RenewalOutcome, Segment, Slug};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityFormat {
    CensusCsv,
    X12_834,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitFormat {
    Csv,
    FhirNdjson,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractTerm {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub outcome: RenewalOutcome,
}

#[derive(Debug, Clone)]
pub struct AccountPlan {
    pub index: usize,
    pub slug: Slug,
    pub name: String,
    pub segment: Segment,
    pub industry: &'static str,
    pub employees: i64,
    pub status: AccountStatus,
    pub launch: Option<NaiveDate>,
    /// 0–1; what every observable (enrollment, visits, NPS, CSAT, touches, churn) leans on.
    pub latent_health: f64,
    pub annual_growth: f64,
    pub churned: bool,
    pub as_of: NaiveDate,
    /// First day with eligibility, if the account has member data at all.
    pub data_start: Option<NaiveDate>,
    /// Last day of data: the as-of date, or the churn date.
    pub data_end: NaiveDate,
    pub worksite_names: Vec<String>,
    pub worksite_metros: Vec<Metro>,
    pub worksite_zip3: Vec<&'static str>,
    pub worksite_weights: Vec<f64>,
    pub contracts: Vec<ContractTerm>,
    pub eligibility_format: EligibilityFormat,
    pub visit_format: VisitFormat,
    /// Company scale also writes these accounts as 834 and FHIR, for importer benchmarks.
    pub alternate_encodings: bool,
    /// Multiplies visit rates; company scale is tuned to ~15M visits for ~10M lives.
    pub visit_intensity: f64,
    /// The treatment arms' lifts of the book's experiments that fall on this account.
    pub lifts: Vec<crate::experiments::Lift>,
}

impl AccountPlan {
    pub fn data_months(&self) -> Option<(Month, Month)> {
        let start = self.data_start?;
        (start <= self.data_end).then(|| (Month::of(start), Month::of(self.data_end)))
    }
}

fn zip3(metro: Metro, rng: &mut Rng) -> &'static str {
    match metro {
        Metro::Boston => "021",
        Metro::Chicago => "606",
        Metro::LosAngeles => "900",
        Metro::NewYork => "100",
        Metro::Phoenix => "850",
        Metro::Seattle => "981",
        Metro::SfBayArea => "941",
        Metro::WashingtonDc => "200",
        Metro::SanDiego => "921",
        Metro::Other => rng.pick::<&str>(&["303", "733", "482", "551", "372"]),
    }
}

const SITE_KINDS: &[&str] = &["Headquarters", "Campus", "Office", "Distribution Center", "Plant", "Studio"];

/// The probability a client leaves at a renewal, given its latent health.
pub fn churn_probability(latent_health: f64) -> f64 {
    1.0 / (1.0 + (12.0 * (latent_health - 0.38)).exp())
}

fn days(n: i64) -> Days {
    Days::new(n.max(0) as u64)
}

pub fn plan_accounts(config: &DemoConfig) -> Vec<AccountPlan> {
    let as_of = config.as_of;
    let window_start = Month::of(as_of).plus(-35).first_day();
    let n = config.accounts;
    let mut used = std::collections::BTreeSet::new();
    (0..n)
        .map(|i| {
            let mut rng = Rng::derive(config.seed, "account", i as u64);
            let industry = rng.range(0, crate::names::INDUSTRIES.len() as i64 - 1) as usize;
            let mut name = crate::names::company(&mut rng, industry);
            let mut slug = Slug::suggest(&name).unwrap_or_else(|_| Slug::parse("account").expect("literal slug"));
            if !used.insert(slug.clone()) {
                name = format!("{name} {}", i + 1);
                slug = Slug::suggest(&name).expect("suffixed slug");
                used.insert(slug.clone());
            }
            let employees = match (config.scale, config.lives_per_account) {
                (_, Some(lives)) => (lives as f64 / 1.5 * (0.5 * rng.normal()).exp()).round().max(8.0) as i64,
                // ~2.9 people per employee over three years (dependents, turnover): ~10M lives.
                (Scale::Company, None) => (605.0 * (rng.f64() * 2.4 - 1.2).exp() / 1.262).round().max(8.0) as i64,
                (Scale::Demo, None) if rng.chance(0.35) => (5_000.0 * (rng.f64() * 1.6).exp()).round() as i64,
                (Scale::Demo, None) => (500.0 * (rng.f64() * 2.3).exp()).round().min(4_999.0) as i64,
            };
            let latent_health = (0.55 + 0.2 * rng.normal()).clamp(0.05, 0.95);

            let sites = if employees >= 5_000 { rng.range(3, 7) } else { rng.range(1, 3) } as usize;
            let primary = *rng.pick(Metro::served());
            let mut worksite_metros = vec![primary];
            for _ in 1..sites {
                worksite_metros.push(if rng.chance(0.12) { Metro::Other } else { *rng.pick(Metro::served()) });
            }
            let worksite_names: Vec<String> = worksite_metros
                .iter()
                .enumerate()
                .map(|(k, m)| {
                    let kind = if k == 0 { "Headquarters" } else { rng.pick(SITE_KINDS) };
                    let place = if *m == Metro::Other { "Remote" } else { m.display_name() };
                    format!("{place} {kind} {}", k + 1)
                })
                .collect();
            let worksite_zip3 = worksite_metros.iter().map(|m| zip3(*m, &mut rng)).collect();
            let worksite_weights = (0..sites).map(|k| if k == 0 { 3.0 } else { rng.f64() + 0.3 }).collect();

            // Timeline: most clients were live before the window, some launched in it,
            // one in fifteen is implementing, and the last of a larger book is a prospect.
            let prospect = n >= 10 && i == n - 1;
            let implementing = !prospect && i % 15 == 14;
            let launch = if prospect {
                None
            } else if implementing {
                Some(Month::of(as_of).plus(rng.range(1, 3) as i32).first_day())
            } else if rng.chance(0.35) {
                Some(Month::of(window_start).plus(rng.range(3, 24) as i32).first_day())
            } else {
                Some(Month::of(window_start).plus(-(rng.range(3, 40) as i32)).first_day())
            };

            // Renewals of live clients spread over the next 12 months.
            let spread = ((i as i64 * 365) / n.max(1) as i64 + rng.range(5, 25)).min(364);
            let mut contracts = Vec::new();
            if let Some(launch) = launch {
                let term_months: u32 = *rng.pick(&[12, 24, 36]);
                let mut end = as_of + days(spread);
                if implementing {
                    // A client still implementing signed a whole term that starts at launch.
                    end = launch.checked_add_months(Months::new(term_months)).map_or(end, |d| d - days(1));
                }
                loop {
                    let mut start =
                        (end + days(1)).checked_sub_months(Months::new(term_months)).map_or(launch, |s| s.max(launch));
                    // A first term of under three months is folded into this one.
                    if start < launch + days(90) {
                        start = launch;
                    }
                    contracts.push(ContractTerm { start, end, outcome: RenewalOutcome::Pending });
                    if start <= launch {
                        break;
                    }
                    end = start - days(1);
                }
                contracts.reverse();
                if implementing {
                    contracts.truncate(1);
                    contracts[0].start = launch;
                }
            }
            // Each renewal decision already past is drawn from latent health; a churn ends
            // the account there.
            let mut churned = false;
            let mut data_end = as_of;
            for k in 0..contracts.len() {
                if contracts[k].end >= as_of {
                    break;
                }
                if rng.chance(churn_probability(latent_health)) && contracts[k].end > window_start + days(120) {
                    contracts[k].outcome = RenewalOutcome::Churned;
                    contracts.truncate(k + 1);
                    churned = true;
                    data_end = contracts[k].end;
                    break;
                }
                contracts[k].outcome = RenewalOutcome::Renewed;
            }
            let status = match (prospect, implementing, churned) {
                (true, _, _) => AccountStatus::Prospect,
                (_, true, _) => AccountStatus::Implementing,
                (_, _, true) => AccountStatus::Churned,
                _ => AccountStatus::Live,
            };
            let data_start = launch.map(|l| {
                if implementing {
                    Month::of(as_of).plus(-1).first_day()
                } else {
                    Month::of(l).plus(-2).first_day().max(window_start)
                }
            });
            let alternates = config.scale == Scale::Company && i % 50 == 7;
            let (eligibility_format, visit_format) = match config.scale {
                Scale::Company => (EligibilityFormat::CensusCsv, VisitFormat::Csv),
                Scale::Demo => (
                    if i % 3 == 1 { EligibilityFormat::X12_834 } else { EligibilityFormat::CensusCsv },
                    if i % 4 == 2 { VisitFormat::FhirNdjson } else { VisitFormat::Csv },
                ),
            };
            AccountPlan {
                index: i,
                slug,
                name,
                segment: Segment::for_employees(employees),
                industry: crate::names::INDUSTRIES[industry].0,
                employees,
                status,
                launch,
                latent_health,
                annual_growth: 0.03 + 0.05 * rng.normal(),
                churned,
                as_of,
                data_start,
                data_end,
                worksite_names,
                worksite_metros,
                worksite_zip3,
                worksite_weights,
                contracts,
                eligibility_format,
                visit_format,
                alternate_encodings: alternates,
                visit_intensity: if config.scale == Scale::Company { 2.6 } else { 1.0 },
                lifts: Vec::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_falls_with_health() {
        assert!(churn_probability(0.2) > 0.8);
        assert!(churn_probability(0.8) < 0.01);
    }
}
