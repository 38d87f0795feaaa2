//! A deterministic generator of a realistic, entirely fictional book of business.
//!
//! [`generate_book`] plans ~30 employers (or 6,000 at company scale) and the relationship
//! rows `steward demo` loads; [`write_files`] simulates each account's members and writes
//! the files an employer and our systems would send, in every format Steward ingests,
//! plus `truth.json` (the latent health and outcomes behind them, for tests only),
//! `truth-experiments.json` (the experiments and the effects planted in their treatment
//! arms) and `manifest.json` (which file belongs to which account, in import order).
//!
//! The same seed and as-of date give byte-identical output, however many threads run:
//! every account draws from its own random stream.
//!
//! Architecture invariant: nothing here reads a database, and the product never reads
//! the truth files.

pub mod book;
pub mod experiments;
pub mod files;
pub mod initiatives;
mod names;
pub mod plan;
pub mod population;
mod rng;

pub use book::{Book, DemoAccount, DemoUser};
pub use plan::{AccountPlan, EligibilityFormat, VisitFormat};

use chrono::NaiveDate;
use rayon::prelude::*;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A team's book: the default ~30 accounts, large enterprises with tens of thousands of lives.
    Demo,
    /// 6,000 accounts and ~10 million lives, for benchmarks.
    Company,
}

#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub seed: u64,
    pub accounts: usize,
    /// "Today" in the book: data runs for 36 months up to it, renewals fall after it.
    pub as_of: NaiveDate,
    /// Average eligible lives per account, overriding the scale's sizes (small tests).
    pub lives_per_account: Option<u32>,
    pub scale: Scale,
}

impl DemoConfig {
    pub fn new(seed: u64, as_of: NaiveDate) -> Self {
        Self { seed, accounts: 30, as_of, lives_per_account: None, scale: Scale::Demo }
    }

    pub fn company(seed: u64, as_of: NaiveDate) -> Self {
        Self { seed, accounts: 6_000, as_of, lives_per_account: None, scale: Scale::Company }
    }
}

/// Plans the book and builds its relationship rows (no member-level data yet).
pub fn generate_book(config: &DemoConfig) -> Book {
    let mut plans = plan::plan_accounts(config);
    let (experiments, lifts) = match config.scale {
        Scale::Demo => experiments::plan(config.seed, &plans),
        Scale::Company => Default::default(),
    };
    for (index, lift) in lifts {
        plans[index].lifts.push(lift);
    }
    let contacts: Vec<_> = plans.iter().map(|p| book::contacts(config.seed, p)).collect();
    let users = book::users(config.seed, &plans, &contacts);
    let managers: Vec<_> = users.iter().filter(|u| u.role == steward_domain::Role::AccountManager).collect();
    let accounts = plans
        .iter()
        .zip(contacts)
        .map(|(plan, contacts)| {
            let owner = managers.get(plan.index % managers.len().max(1)).map(|u| &u.email);
            book::account(config.seed, plan, contacts, owner)
        })
        .collect();
    Book { seed: config.seed, as_of: config.as_of, users, accounts, experiments }
}

/// What was written, for the summary line and the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileSummary {
    pub files: u64,
    pub bytes: u64,
    pub eligibility_rows: u64,
    pub people: u64,
    pub membership_rows: u64,
    pub visits: u64,
    pub survey_responses: u64,
}

/// One account's files in `manifest.json`, paths relative to the output directory.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ManifestAccount {
    pub slug: String,
    pub eligibility_format: EligibilityFormat,
    /// Eligibility files in the order they must be imported.
    pub eligibility: Vec<String>,
    pub visit_format: VisitFormat,
    /// The account's own visit file (FHIR), or none when its visits are in `visits.csv`.
    pub visits: Option<String>,
    /// Company scale: the same data again as 834 and FHIR, to benchmark those importers.
    pub alternates: Vec<String>,
}

/// `manifest.json`: which file belongs to which account, in import order.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub seed: u64,
    pub as_of: NaiveDate,
    pub memberships: String,
    pub visits: String,
    pub surveys: String,
    pub accounts: Vec<ManifestAccount>,
}

#[derive(Debug, serde::Serialize)]
struct TruthAccount {
    slug: String,
    latent_health: f64,
    churn_probability: f64,
    status: steward_domain::AccountStatus,
    churned: bool,
    data_end: NaiveDate,
    renewal_decisions: Vec<(NaiveDate, steward_domain::RenewalOutcome)>,
    /// Initiatives with the lift planted in the member files, and each one's true effect.
    initiatives: Vec<TruthInitiative>,
}

#[derive(Debug, Clone, serde::Serialize)]
struct TruthInitiative {
    #[serde(flatten)]
    planned: initiatives::PlannedInitiative,
    /// The targeted worksites' enrollment over the outcome window with the lift, less
    /// without it (points); null for one not under way by the data's end.
    true_effect: Option<f64>,
}

struct Rendered {
    manifest: ManifestAccount,
    /// Each initiative's true effect, in the account's order.
    initiative_effects: Vec<Option<f64>>,
    memberships: Vec<u8>,
    visits: Vec<u8>,
    surveys: Vec<u8>,
    summary: FileSummary,
}

fn write(path: &Path, bytes: &[u8], summary: &mut FileSummary) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, bytes).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    summary.files += 1;
    summary.bytes += bytes.len() as u64;
    Ok(())
}

/// The members of one account, exactly as [`write_files`] writes them: simulated, then
/// lifted by the account's initiatives' planned effects.
pub fn simulate_account(seed: u64, plan: &AccountPlan) -> population::Population {
    simulate_with_truth(seed, plan).0
}

/// [`simulate_account`] and the true effect of each of the account's initiatives.
fn simulate_with_truth(seed: u64, plan: &AccountPlan) -> (population::Population, Vec<Option<f64>>) {
    let mut pop = population::simulate(plan, &mut rng::Rng::derive(seed, "members", plan.index as u64));
    let truths = initiatives::plant(seed, plan, &initiatives::plan(seed, plan), &mut pop);
    let mut rng = rng::Rng::derive(seed, "experiment-lift", plan.index as u64);
    for l in &plan.lifts {
        initiatives::lift(&mut rng, plan, &l.sites, (l.start, l.end), l.points, &mut pop);
    }
    (pop, truths)
}

fn render_account(config: &DemoConfig, plan: &AccountPlan, out: &Path) -> io::Result<Rendered> {
    let (pop, initiative_effects) = simulate_with_truth(config.seed, plan);
    let mut summary = FileSummary {
        people: pop.people.len() as u64,
        eligibility_rows: pop.people.iter().map(|p| p.spans.len() as u64).sum(),
        membership_rows: pop.people.iter().map(|p| p.memberships.len() as u64).sum(),
        visits: pop.visits.len() as u64,
        survey_responses: pop.surveys.len() as u64,
        ..FileSummary::default()
    };
    let slug = plan.slug.as_str();
    let mut eligibility = Vec::new();
    let mut alternates = Vec::new();
    let mut visits_file = None;
    if plan.data_start.is_some() {
        let as_834 = |summary: &mut FileSummary, dir: &str, list: &mut Vec<String>| -> io::Result<()> {
            let mut x12_rng = rng::Rng::derive(config.seed, "x12", plan.index as u64);
            for (name, bytes) in files::x12::render(plan, &pop, &mut x12_rng) {
                let rel = format!("{dir}/{slug}/{name}");
                write(&out.join(&rel), &bytes, summary)?;
                list.push(rel);
            }
            Ok(())
        };
        match plan.eligibility_format {
            EligibilityFormat::CensusCsv => {
                let rel = format!("eligibility/{slug}/census-{}.csv", plan.data_end);
                write(&out.join(&rel), &files::census::render(plan, &pop), &mut summary)?;
                eligibility.push(rel);
            }
            EligibilityFormat::X12_834 => as_834(&mut summary, "eligibility", &mut eligibility)?,
        }
        let fhir = |summary: &mut FileSummary, rel: String| -> io::Result<String> {
            write(&out.join(&rel), &files::fhir::render(plan, &pop), summary)?;
            Ok(rel)
        };
        if plan.visit_format == VisitFormat::FhirNdjson {
            visits_file = Some(fhir(&mut summary, format!("visits/{slug}.ndjson"))?);
        }
        if plan.alternate_encodings {
            as_834(&mut summary, "alternate/x12", &mut alternates)?;
            alternates.push(fhir(&mut summary, format!("alternate/fhir/{slug}.ndjson"))?);
        }
    }
    let (mut memberships, mut visits, mut surveys) = (Vec::new(), Vec::new(), Vec::new());
    files::tables::memberships(plan, &pop, &mut memberships);
    if plan.visit_format == VisitFormat::Csv {
        files::tables::visits(plan, &pop, &mut visits);
    }
    files::tables::surveys(plan, &pop, &mut surveys);
    Ok(Rendered {
        initiative_effects,
        manifest: ManifestAccount {
            slug: slug.to_owned(),
            eligibility_format: plan.eligibility_format,
            eligibility,
            visit_format: plan.visit_format,
            visits: visits_file,
            alternates,
        },
        memberships,
        visits,
        surveys,
        summary,
    })
}

/// A shared CSV file being appended to in account order.
struct Table {
    file: BufWriter<fs::File>,
    bytes: u64,
}

impl Table {
    fn create(path: PathBuf, header: &str) -> io::Result<Self> {
        let mut file = BufWriter::with_capacity(
            1 << 20,
            fs::File::create(&path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?,
        );
        file.write_all(header.as_bytes())?;
        Ok(Self { file, bytes: header.len() as u64 })
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.bytes += bytes.len() as u64;
        self.file.write_all(bytes)
    }
}

/// Simulates every account's members and writes all files under `out`. Accounts render in
/// parallel a chunk at a time, so memory stays bounded at company scale.
pub fn write_files(config: &DemoConfig, book: &Book, out: &Path) -> io::Result<FileSummary> {
    fs::create_dir_all(out).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", out.display())))?;
    let mut memberships = Table::create(out.join("memberships.csv"), files::tables::MEMBERSHIPS_HEADER)?;
    let mut visits = Table::create(out.join("visits.csv"), files::tables::VISITS_HEADER)?;
    let mut surveys = Table::create(out.join("surveys.csv"), files::tables::SURVEYS_HEADER)?;
    let mut summary = FileSummary::default();
    let mut manifest = Vec::with_capacity(book.accounts.len());
    let mut effects = Vec::with_capacity(book.accounts.len());
    for chunk in book.accounts.chunks(64) {
        let rendered: Vec<io::Result<Rendered>> =
            chunk.par_iter().map(|a| render_account(config, &a.plan, out)).collect();
        for r in rendered {
            let r = r?;
            memberships.append(&r.memberships)?;
            visits.append(&r.visits)?;
            surveys.append(&r.surveys)?;
            let s = &r.summary;
            summary.files += s.files;
            summary.bytes += s.bytes;
            summary.eligibility_rows += s.eligibility_rows;
            summary.people += s.people;
            summary.membership_rows += s.membership_rows;
            summary.visits += s.visits;
            summary.survey_responses += s.survey_responses;
            effects.push(r.initiative_effects);
            manifest.push(r.manifest);
        }
    }
    for table in [&mut memberships, &mut visits, &mut surveys] {
        table.file.flush()?;
        summary.files += 1;
        summary.bytes += table.bytes;
    }
    let manifest = Manifest {
        seed: config.seed,
        as_of: config.as_of,
        memberships: "memberships.csv".into(),
        visits: "visits.csv".into(),
        surveys: "surveys.csv".into(),
        accounts: manifest,
    };
    let truth: Vec<TruthAccount> = book
        .accounts
        .iter()
        .zip(effects)
        .map(|(a, effects)| TruthAccount {
            slug: a.plan.slug.to_string(),
            latent_health: a.plan.latent_health,
            churn_probability: plan::churn_probability(a.plan.latent_health),
            status: a.plan.status,
            churned: a.plan.churned,
            data_end: a.plan.data_end,
            renewal_decisions: a
                .plan
                .contracts
                .iter()
                .filter(|c| c.outcome != steward_domain::RenewalOutcome::Pending)
                .map(|c| (c.end, c.outcome))
                .collect(),
            initiatives: a
                .initiatives
                .iter()
                .zip(effects)
                .map(|(planned, true_effect)| TruthInitiative { planned: planned.clone(), true_effect })
                .collect(),
        })
        .collect();
    let mut accounts = String::from("slug,name,segment,industry,employee_count,status\n");
    for a in &book.accounts {
        let n = &a.account;
        let employees = n.employee_count.unwrap_or_default();
        accounts += &format!("{},{},{},{},{employees},{}\n", n.slug, n.name, n.segment, n.industry, n.status);
    }
    write(&out.join("accounts.csv"), accounts.as_bytes(), &mut summary)?;
    for (name, value) in [
        ("manifest.json", serde_json::to_vec_pretty(&manifest)),
        ("truth.json", serde_json::to_vec_pretty(&truth)),
        ("truth-experiments.json", serde_json::to_vec_pretty(&book.experiments)),
    ] {
        let mut bytes = value.map_err(io::Error::other)?;
        bytes.push(b'\n');
        write(&out.join(name), &bytes, &mut summary)?;
    }
    Ok(summary)
}
