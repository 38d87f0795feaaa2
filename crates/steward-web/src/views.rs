//! What pages show, as plain values: numbers formatted for people, health explained in
//! words, one book row per account. Pure, so they are tested without a server.

use chrono::NaiveDate;
use serde::Serialize;
use steward_domain::Metro;
use steward_domain::health::{Band, Driver, HealthScore, Measure};
use steward_domain::suppression::{ClientMonth, ClientQuarter, ProgramMonth};
use steward_health::AccountSummary;

pub use steward_domain::words::thousands;

/// An initiative's effect as people read it: "+2.4 points (−0.3 to +5.1)".
pub fn effect_words(read: &steward_health::initiatives::Impact) -> Option<String> {
    effect_text(read.effect, read.ci_low, read.ci_high, read.unit)
}

/// An effect and its interval in `unit`, as [`effect_words`] says it.
pub fn effect_text(effect: Option<f64>, low: Option<f64>, high: Option<f64>, unit: &str) -> Option<String> {
    let (e, lo, hi) = (effect?, low?, high?);
    let unit = if unit == "percentage points" { "points" } else { unit };
    Some(format!("{e:+.1} {unit} ({lo:+.1} to {hi:+.1})"))
}

/// A value for a URL's query string: everything but unreserved characters percent-encoded.
pub fn url_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A fraction as a percentage with one decimal; an undefined rate is a dash, never 0.
pub fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

/// A change with its sign: "+3", "−12", "0".
/// A rate in cents as people check it by hand: to the cent when it is whole cents, else to
/// a hundredth of a cent ("$6.3654").
fn rate(cents: f64) -> String {
    if (cents - cents.round()).abs() < 1e-6 {
        steward_domain::Money::from_cents(cents.round() as i64).to_string()
    } else {
        format!("${:.4}", cents / 100.0)
    }
}

/// A month's bill of a contract, line by line, as the contract card shows it: the rate in
/// force with its escalations, the units, the add-ons, the minimum — ARR checkable by hand.
pub fn bill_view(b: &steward_domain::pricing::Bill) -> minijinja::Value {
    use steward_domain::Money;
    use steward_domain::contract::PricingModel;
    let years = b.contract_year - 1;
    let escalated = |base: Money| {
        if years > 0 && b.escalator_pct != 0.0 {
            format!(
                " ({base} raised {}% a year, compounded, for {}: × {:.4})",
                b.escalator_pct,
                steward_domain::words::count(years, "year", "years"),
                b.escalation
            )
        } else {
            String::new()
        }
    };
    let unit = match b.model {
        PricingModel::Pepm => "eligible employees",
        PricingModel::Pmpm => "enrolled members",
        PricingModel::FlatAnnual => "",
    };
    let mut lines: Vec<minijinja::Value> = Vec::new();
    for l in &b.usage {
        let (what, calc) = match b.units {
            None => {
                ("Flat annual fee".to_owned(), format!("{}{} ÷ 12", rate(l.rate_cents * 12.0), escalated(l.base_rate)))
            }
            Some(_) => {
                let tier = match (b.usage.len(), l.to_units) {
                    (1, _) => String::new(),
                    (_, Some(to)) => format!(", {}–{}", thousands(l.from_units + 1), thousands(to)),
                    (_, None) => format!(", over {}", thousands(l.from_units)),
                };
                (
                    format!("{}{tier}", words(b.model.as_str())),
                    format!("{} {unit} × {}{}", thousands(l.units), rate(l.rate_cents), escalated(l.base_rate)),
                )
            }
        };
        lines.push(minijinja::context! { what, calc, amount => Money::from_cents(l.cents.round() as i64).to_string() });
    }
    for a in &b.add_ons {
        lines.push(minijinja::context! {
            what => words(&a.service),
            calc => format!("{} a year × {} ÷ 12", a.events_per_year, a.price_per_event),
            amount => Money::from_cents(a.cents.round() as i64).to_string(),
        });
    }
    // Lines are shown to the cent; the month is the exact sum rounded once.
    let shown: i64 = b.usage.iter().map(|l| l.cents.round() as i64).sum::<i64>()
        + b.add_ons.iter().map(|a| a.cents.round() as i64).sum::<i64>();
    if shown != b.monthly.cents {
        lines.push(minijinja::context! {
            what => "Rounding",
            calc => "the lines are shown to the cent, the month is rounded once",
            amount => Money::from_cents(b.monthly.cents - shown).to_string(),
        });
    }
    minijinja::context! {
        month => b.month.to_string(),
        contract_year => b.contract_year,
        lines,
        monthly => b.monthly.to_string(),
        run_rate => b.run_rate.to_string(),
        minimum => b.minimum.map(|m| m.to_string()),
        floored => b.minimum.is_some_and(|m| m > b.run_rate),
        arr => b.arr.to_string(),
    }
}

/// "+1.5", "−0.5", "±0.0": one decimal, with the sign people write.
pub fn signed_tenths(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    match r {
        r if r > 0.0 => format!("+{r:.1}"),
        r if r < 0.0 => format!("−{:.1}", -r),
        _ => "±0.0".to_owned(),
    }
}

pub fn signed(v: f64) -> String {
    let r = v.round();
    if r > 0.0 {
        format!("+{r:.0}")
    } else if r < 0.0 {
        format!("−{:.0}", -r)
    } else {
        "±0".to_owned()
    }
}

/// ▲ ▼ or nothing, for a change.
pub fn arrow(v: f64) -> &'static str {
    if v.round() > 0.0 {
        "▲"
    } else if v.round() < 0.0 {
        "▼"
    } else {
        ""
    }
}

/// "mid_market" → "Mid market".
/// A month as pages name it: "2026-12, month to date" while its data are not whole.
pub fn month_label(month: steward_domain::Month, partial: bool) -> String {
    if partial { format!("{month}, month to date") } else { month.to_string() }
}

/// Acronyms people write in capitals.
const ACRONYMS: [&str; 11] = ["pepm", "pmpm", "qbr", "arr", "nps", "csat", "hr", "it", "grr", "nrr", "fhir"];

pub fn words(snake: &str) -> String {
    let text: Vec<String> =
        snake.split('_').map(|w| if ACRONYMS.contains(&w) { w.to_uppercase() } else { w.to_owned() }).collect();
    let text = text.join(" ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The band in words, so colour is never the only signal.
pub fn band_word(band: Band) -> &'static str {
    match band {
        Band::Red => "At risk",
        Band::Yellow => "Watch",
        Band::Green => "Healthy",
    }
}

/// One driver as a sentence fragment: "enrollment 46% of target: −22 pts".
pub fn driver_text(d: &Driver) -> String {
    let value = match d.measure {
        Measure::EnrollmentVsTarget => format!("enrollment at {:.0}% of target", d.value * 100.0),
        Measure::UtilizationRate => format!("utilization {:.0}%", d.value * 100.0),
        Measure::Nps => format!("NPS {:.0}", d.value),
        Measure::ClientCsat => format!("client CSAT {:.1} of 5", d.value),
        Measure::DaysSinceDecisionMakerTouch => {
            format!("{} since a decision maker was met", steward_domain::words::days(d.value as i64))
        }
        Measure::DecisionMakerSentiment => format!("decision makers' sentiment {} (−2 to +2)", signed_tenths(d.value)),
        Measure::OpenEscalations => format!("{:.0} open escalation(s)", d.value),
        Measure::EnrollmentTrend3m => format!("enrollment {} pts over 3 months", signed(d.value)),
    };
    format!("{value}: −{:.0} pts", d.points_lost)
}

#[derive(Debug, Clone, Serialize)]
pub struct DriverView {
    pub measure: Measure,
    pub text: String,
    pub points_lost: f64,
    /// The account's initiatives that bear on the measure, in words (see
    /// `pages::initiatives::cite`).
    pub cites: Vec<Cite>,
}

/// An initiative cited beside a health driver: what it did to the measure, or that it is
/// under way.
#[derive(Debug, Clone, Serialize)]
pub struct Cite {
    pub id: i64,
    pub title: String,
    pub words: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthView {
    pub score: i64,
    pub band: &'static str,
    pub word: &'static str,
    pub change: Option<String>,
    /// The change in points, unrounded (for the API).
    pub change_points: Option<f64>,
    pub arrow: &'static str,
    pub insufficient_data: bool,
    /// The measures that cost points, worst first.
    pub drivers: Vec<DriverView>,
    /// What moved the score since last month, in words.
    pub movers: Vec<String>,
}

impl HealthView {
    pub fn of(summary: &AccountSummary) -> Option<Self> {
        let h: &HealthScore = summary.health.as_ref()?;
        let change = summary.health_change.as_ref();
        Some(HealthView {
            score: h.score.round() as i64,
            band: h.band.as_str(),
            word: band_word(h.band),
            change: change.map(|c| signed(c.delta)),
            change_points: change.map(|c| c.delta),
            arrow: change.map_or("", |c| arrow(c.delta)),
            insufficient_data: h.insufficient_data,
            drivers: h
                .drivers
                .iter()
                .filter(|d| d.points_lost >= 0.5)
                .map(|d| DriverView {
                    measure: d.measure,
                    text: driver_text(d),
                    points_lost: d.points_lost,
                    cites: Vec::new(),
                })
                .collect(),
            movers: change
                .map(|c| {
                    c.movers
                        .iter()
                        .filter(|(_, p)| p.abs() >= 0.5)
                        .map(|(m, p)| format!("{} {}", words(m.as_str()), signed(*p)))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// How many months the program charts show.
pub const CHART_MONTHS: usize = 24;

/// Where a chart's numbers come from, in words: "whole account", "Chicago", "HQ Tower".
pub fn scope_label(by: Option<&str>, cut: Option<&str>, whole: &str) -> String {
    match (by, cut.filter(|c| !c.is_empty())) {
        (Some("metro"), Some(m)) => m.parse::<Metro>().map_or_else(|_| m.to_owned(), |m| m.display_name().to_owned()),
        (_, Some(cut)) => cut.to_owned(),
        _ => whole.to_owned(),
    }
}

/// A count as shown: "<11" when hidden.
pub fn shown_count(n: Option<i64>, threshold: i64) -> String {
    n.map_or_else(|| format!("<{threshold}"), thousands)
}

/// The program charts of Account 360, from exact months: the funnel of the last month,
/// enrollment and utilization, visits by modality, NPS over the trailing twelve months.
pub fn program_charts(months: &[ProgramMonth], target: Option<f64>, scope: &str) -> minijinja::Value {
    use crate::charts::{self, Bars, Series, Unit};
    let recent = &months[months.len().saturating_sub(CHART_MONTHS)..];
    let labels: Vec<String> = recent.iter().map(|m| m.month.to_string()).collect();
    let mut rates = vec![
        Series::new("Enrollment rate", recent.iter().map(|m| m.enrollment_rate).collect()),
        Series::new("Utilization (12 mo)", recent.iter().map(|m| m.utilization_rate).collect()),
    ];
    if let Some(t) = target {
        rates.push(Series { reference: true, ..Series::new("Enrollment target", vec![Some(t); recent.len()]) });
    }
    let visits = [
        Bars::new("In office", recent.iter().map(|m| m.visits_in_office).collect()),
        Bars::new("Video", recent.iter().map(|m| m.visits_video).collect()),
        Bars::new("Other remote", recent.iter().map(|m| m.visits_remote_other).collect()),
    ];
    let nps = [Series::new("NPS (12 months)", recent.iter().map(|m| m.nps).collect())];
    let funnel = recent.last().map(|m| {
        funnel_chart(
            &format!("Enrollment funnel, {} ({scope})", m.month),
            m.eligible_lives,
            m.enrolled_members,
            m.active_members_12m,
            0,
        )
    });
    minijinja::context! {
        funnel => funnel,
        rates => charts::line_chart(&format!("Enrollment and utilization by month ({scope})"), &labels, &rates, Unit::Percent),
        visits => charts::stacked_bars(&format!("Visits by modality by month ({scope})"), &labels, &visits, "visits"),
        nps => charts::line_chart(&format!("NPS over the trailing 12 months ({scope})"), &labels, &nps, Unit::Score),
        nps_responses => recent.last().map(|m| shown_count(m.nps_responses, 0)),
    }
}

/// Eligible → enrolled → active, each with its share of the eligible.
pub fn funnel_chart(
    title: &str,
    eligible: Option<i64>,
    enrolled: Option<i64>,
    active: Option<i64>,
    threshold: i64,
) -> String {
    let share = |n: Option<i64>| match (n, eligible) {
        (Some(n), Some(e)) if e > 0 => format!("{} · {}", thousands(n), percent(Some(n as f64 / e as f64))),
        _ => shown_count(n, threshold),
    };
    crate::charts::funnel(
        title,
        &[
            ("Eligible".into(), eligible, shown_count(eligible, threshold)),
            ("Enrolled".into(), enrolled, share(enrolled)),
            ("Active (12 mo)".into(), active, share(active)),
        ],
    )
}

/// How many quarters the client's charts show.
const CHART_QUARTERS: usize = 8;

/// The client's charts, from client figures only: enrollment by month; utilization, visits
/// by modality and NPS by calendar quarter. Hidden cells are marked "<11", never blank.
pub fn client_charts(months: &[ClientMonth], threshold: i64, scope: &str) -> minijinja::Value {
    use crate::charts::{self, Bars, Series, Unit};
    let recent = &months[months.len().saturating_sub(CHART_MONTHS)..];
    let labels: Vec<String> = recent.iter().map(|m| m.month.to_string()).collect();
    let enrollment = [Series::suppressed("Enrollment rate", recent.iter().map(|m| m.enrollment_rate).collect())];
    let quarters: Vec<&ClientQuarter> = months.iter().filter_map(|m| m.quarter.as_ref()).collect();
    let quarters = &quarters[quarters.len().saturating_sub(CHART_QUARTERS)..];
    let q_labels: Vec<String> = quarters.iter().map(|q| q.quarter.clone()).collect();
    let utilization = [Series::suppressed(
        "Utilization (12 mo to quarter end)",
        quarters.iter().map(|q| q.utilization_rate).collect(),
    )];
    let visits = [
        Bars::suppressed("In office", quarters.iter().map(|q| q.visits_in_office).collect()),
        Bars::suppressed("Video", quarters.iter().map(|q| q.visits_video).collect()),
        Bars::suppressed("Other remote", quarters.iter().map(|q| q.visits_remote_other).collect()),
    ];
    let nps = [Series::suppressed("NPS (the quarter's responses)", quarters.iter().map(|q| q.nps).collect())];
    let latest_quarter = quarters.last();
    let funnel = recent.last().map(|m| {
        funnel_chart(
            &format!("Enrollment funnel, {} ({scope})", m.month),
            m.eligible_lives,
            m.enrolled_members,
            latest_quarter.and_then(|q| q.active_members_12m),
            threshold,
        )
    });
    minijinja::context! {
        funnel => funnel,
        enrollment => charts::line_chart(&format!("Enrollment rate by month ({scope})"), &labels, &enrollment, Unit::Percent),
        utilization => charts::line_chart(&format!("Utilization by quarter ({scope})"), &q_labels, &utilization, Unit::Percent),
        visits => charts::stacked_bars(&format!("Visits by modality by quarter ({scope})"), &q_labels, &visits, "visits"),
        nps => charts::line_chart(&format!("NPS by quarter ({scope})"), &q_labels, &nps, Unit::Score),
        nps_responses => latest_quarter.map(|q| shown_count(q.nps_responses, threshold)),
        latest_quarter => latest_quarter.map(|q| q.quarter.clone()),
    }
}

/// One account in the book, filtered and sorted by the values it carries.
#[derive(Debug, Clone, Serialize)]
pub struct BookRow {
    pub slug: String,
    pub name: String,
    /// DOMAIN.md's word (`mid_market`); `segment_label` is for people.
    pub segment: String,
    pub segment_label: String,
    pub status: String,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub metros: Vec<String>,
    pub health: Option<HealthView>,
    pub eligible_lives: Option<i64>,
    pub enrolled_members: Option<i64>,
    pub active_members_12m: Option<i64>,
    pub enrollment_rate: Option<f64>,
    pub utilization_rate: Option<f64>,
    pub nps: Option<f64>,
    pub nps_responses: i64,
    pub arr_cents: Option<i64>,
    pub arr: Option<String>,
    /// Fees at risk under performance guarantees (none when nothing is).
    pub at_risk: Option<String>,
    pub renewal: Option<NaiveDate>,
    pub renewal_quarter: Option<String>,
    pub days_to_notice: Option<i64>,
    /// "in 20 days", "passed 64 days ago".
    pub notice_words: Option<String>,
    pub last_activity: Option<NaiveDate>,
    pub sparkline: String,
    /// The account's part of a task's rank in My work.
    #[serde(skip)]
    pub rank_inputs: steward_health::work::RankInputs,
    /// The account and what the portfolio reads of it: the account itself is for the pages
    /// that decide from it (who may write it, whose queue its deadlines join) without reading
    /// every account again.
    #[serde(skip)]
    pub holding: steward_domain::portfolio::Holding,
}

/// "2027-Q1": the quarter a day falls in, as every page writes it.
pub fn quarter(d: NaiveDate) -> String {
    steward_domain::quarter::Quarter::of_day(d).to_string()
}

impl BookRow {
    pub fn of(summary: &AccountSummary, owner_name: Option<String>, metros: &[Metro], today: NaiveDate) -> Self {
        let a = &summary.account;
        let latest = summary.latest.as_ref();
        let trend: Vec<Option<f64>> = summary.enrollment_trend.iter().map(|(_, r)| *r).collect();
        let first = summary.enrollment_trend.first().map(|(m, _)| m.to_string()).unwrap_or_default();
        BookRow {
            slug: a.slug.to_string(),
            name: a.name.clone(),
            segment: a.segment.as_str().to_owned(),
            segment_label: words(a.segment.as_str()),
            status: a.status.as_str().to_owned(),
            owner: a.owner.as_ref().map(|e| e.to_string()),
            owner_name,
            metros: metros.iter().map(|m| m.to_string()).collect(),
            health: HealthView::of(summary),
            eligible_lives: latest.map(|m| m.eligible_lives),
            enrolled_members: latest.map(|m| m.enrolled_members),
            active_members_12m: latest.map(|m| m.active_members_12m),
            enrollment_rate: latest.and_then(|m| m.enrollment_rate),
            utilization_rate: latest.and_then(|m| m.utilization_rate),
            nps: latest.and_then(|m| m.nps),
            nps_responses: latest.map_or(0, |m| m.nps_responses),
            arr_cents: summary.arr.map(|m| m.cents),
            arr: summary.arr.map(|m| m.short()),
            at_risk: summary.at_risk.filter(|m| m.cents > 0).map(|m| m.short()),
            renewal: summary.renewal(),
            renewal_quarter: summary.renewal().map(quarter),
            days_to_notice: summary.notice_deadline().map(|d| (d - today).num_days()),
            last_activity: summary.last_activity,
            notice_words: summary.notice_deadline().map(|d| match (d - today).num_days() {
                n if n < 0 => format!("passed {}", steward_domain::words::from_today(n)),
                n => steward_domain::words::from_today(n),
            }),
            sparkline: crate::charts::sparkline(&trend, &format!("Enrollment rate by month since {first}")),
            rank_inputs: steward_health::work::RankInputs::for_account(summary),
            holding: steward_health::portfolio::holding(summary),
        }
    }

    pub fn account(&self) -> &steward_domain::Account {
        &self.holding.account
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_stay_capitals() {
        assert_eq!(words("pmpm"), "PMPM");
        assert_eq!(words("flat_annual"), "Flat annual");
        assert_eq!(words("hr_benefits"), "HR benefits");
        assert_eq!(words("it"), "IT");
        assert_eq!(words("flu_shot_event"), "Flu shot event");
    }

    #[test]
    fn numbers_read_like_people_write_them() {
        assert_eq!(thousands(12_480), "12,480");
        assert_eq!(thousands(-1_234_567), "−1,234,567");
        assert_eq!(thousands(7), "7");
        assert_eq!(percent(Some(0.314)), "31.4%");
        assert_eq!(percent(None), "—");
        assert_eq!(signed(-12.4), "−12");
        assert_eq!(signed(3.0), "+3");
        assert_eq!(signed(0.2), "±0");
        assert_eq!(words("large_enterprise"), "Large enterprise");
        assert_eq!(quarter(NaiveDate::from_ymd_opt(2027, 5, 1).unwrap()), "2027-Q2");
    }

    #[test]
    fn drivers_say_what_cost_points() {
        let d = Driver {
            measure: Measure::EnrollmentVsTarget,
            value: 0.46,
            measure_score: 20.0,
            weight: 0.3,
            points_lost: 22.0,
        };
        assert_eq!(driver_text(&d), "enrollment at 46% of target: −22 pts");
    }
}
