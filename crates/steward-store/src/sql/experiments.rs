use super::{SqlStore, account_id, now, opt_user_id};
use crate::{Conn, Driver, ExperimentStore, Result, Row, StoreError, Value};
use steward_domain::experiment::{Assignment, DesignInput, Experiment, NewExperiment, Randomized};
use steward_domain::{Id, Slug};

const SELECT: &str = "SELECT e.id, e.name, e.change_tested, e.unit, a.slug, e.segment, e.metric, e.baseline, e.mde, \
    e.alpha, e.power, e.cluster_size, e.icc, e.size_cv, e.units_per_arm_needed, e.planned_power, e.seed, \
    e.start_date, e.end_date, e.override_reason, u.email, e.created_at FROM experiments e \
    LEFT JOIN accounts a ON a.id = e.account_id LEFT JOIN users u ON u.id = e.created_by";

fn experiment(c: &mut dyn Conn, r: &Row) -> Result<Experiment> {
    let id = r.int(0)?;
    let randomized = match r.text(3)?.as_str() {
        "worksites" => Randomized::Worksites { account: r.parse(4)? },
        _ => Randomized::Accounts { segment: r.parse(5)? },
    };
    let assignments = c
        .query("SELECT unit, size, arm FROM experiment_units WHERE experiment_id = $1 ORDER BY unit", &[id.into()])?
        .iter()
        .map(|u| Ok(Assignment { unit: u.text(0)?, size: u.int(1)? as u64, arm: u.parse(2)? }))
        .collect::<Result<Vec<_>>>()?;
    Ok(Experiment {
        id,
        name: r.text(1)?,
        change: r.text(2)?,
        randomized,
        metric: r.parse(6)?,
        design: DesignInput {
            baseline: r.real(7)?,
            mde: r.real(8)?,
            alpha: r.real(9)?,
            power: r.real(10)?,
            cluster_size: r.real(11)?,
            icc: r.real(12)?,
            size_cv: r.real(13)?,
        },
        units_per_arm_needed: r.int(14)? as u64,
        planned_power: r.real(15)?,
        seed: r.int(16)? as u64,
        start_date: r.date(17)?,
        end_date: r.date(18)?,
        assignments,
        override_reason: r.opt_text(19)?,
        created_by: r.opt_parse(20)?,
        created_at: r.time(21)?,
    })
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Experiment> {
    let row = c
        .query_one(&format!("{SELECT} WHERE e.id = $1"), &[id.into()])?
        .ok_or_else(|| StoreError::NotFound(format!("experiment {id}")))?;
    experiment(c, &row)
}

impl<D: Driver> ExperimentStore for SqlStore<D> {
    fn create_experiment(&self, new: &NewExperiment) -> Result<Experiment> {
        new.validate()?;
        self.write(|c| {
            let (unit, account, segment) = match &new.randomized {
                Randomized::Worksites { account } => ("worksites", Some(account_id(c, account)?), None),
                Randomized::Accounts { segment } => ("accounts", None, Some(segment.as_str())),
            };
            let by = opt_user_id(c, new.created_by.as_ref())?;
            let d = &new.design;
            let id = c
                .query_one(
                    "INSERT INTO experiments (name, change_tested, unit, account_id, segment, metric, baseline, mde, \
                     alpha, power, cluster_size, icc, size_cv, units_per_arm_needed, planned_power, seed, start_date, \
                     end_date, override_reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                     $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
                    &[
                        new.name.trim().into(),
                        new.change.trim().into(),
                        unit.into(),
                        account.into(),
                        segment.into(),
                        new.metric.as_str().into(),
                        Value::Real(d.baseline),
                        Value::Real(d.mde),
                        Value::Real(d.alpha),
                        Value::Real(d.power),
                        Value::Real(d.cluster_size),
                        Value::Real(d.icc),
                        Value::Real(d.size_cv),
                        (new.units_per_arm_needed as i64).into(),
                        Value::Real(new.planned_power),
                        (new.seed as i64).into(),
                        new.start_date.into(),
                        new.end_date.into(),
                        new.override_reason.as_deref().map(str::trim).into(),
                        by.into(),
                        now().into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            for a in &new.assignments {
                c.execute(
                    "INSERT INTO experiment_units (experiment_id, unit, size, arm) VALUES ($1, $2, $3, $4)",
                    &[id.into(), a.unit.as_str().into(), (a.size as i64).into(), a.arm.as_str().into()],
                )?;
            }
            one(c, id)
        })
    }

    fn experiment(&self, id: Id) -> Result<Experiment> {
        self.read(|c| one(c, id))
    }

    fn experiments(&self, account: Option<&Slug>) -> Result<Vec<Experiment>> {
        self.read(|c| {
            let order = "ORDER BY e.start_date DESC, e.id DESC";
            let rows = match account {
                Some(slug) => {
                    let id = account_id(c, slug)?;
                    c.query(&format!("{SELECT} WHERE e.account_id = $1 {order}"), &[Value::Int(id)])?
                }
                None => c.query(&format!("{SELECT} {order}"), &[])?,
            };
            rows.iter().map(|r| experiment(c, r)).collect()
        })
    }
}
