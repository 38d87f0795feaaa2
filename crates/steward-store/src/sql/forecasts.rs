use super::{SqlStore, now, user_id};
use crate::{Driver, ForecastSnapshot, ForecastStore, Result};
use steward_domain::forecast::{Goal, Quarter, Totals};
use steward_domain::{Email, Money};

impl<D: Driver> ForecastStore for SqlStore<D> {
    fn set_goal(&self, goal: &Goal, by: Option<&Email>) -> Result<()> {
        goal.validate()?;
        self.write(|c| {
            let user = user_id(c, &goal.owner)?;
            c.execute(
                "INSERT INTO goals (user_id, year, gross_retention, net_retention, bookings_cents, set_by, set_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, year) DO UPDATE SET \
                 gross_retention = excluded.gross_retention, net_retention = excluded.net_retention, \
                 bookings_cents = excluded.bookings_cents, set_by = excluded.set_by, set_at = excluded.set_at",
                &[
                    user.into(),
                    i64::from(goal.year).into(),
                    goal.gross_retention.into(),
                    goal.net_retention.into(),
                    goal.bookings.cents.into(),
                    by.map(|e| e.as_str().to_owned()).into(),
                    now().into(),
                ],
            )?;
            Ok(())
        })
    }

    fn goals(&self, year: Option<i32>) -> Result<Vec<Goal>> {
        self.read(|c| {
            let rows = c.query(
                "SELECT u.email, g.year, g.gross_retention, g.net_retention, g.bookings_cents FROM goals g \
                 JOIN users u ON u.id = g.user_id WHERE ($1 = 0 OR g.year = $1) ORDER BY u.email, g.year",
                &[i64::from(year.unwrap_or(0)).into()],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(Goal {
                        owner: r.parse(0)?,
                        year: r.int(1)? as i32,
                        gross_retention: r.real(2)?,
                        net_retention: r.real(3)?,
                        bookings: Money::from_cents(r.int(4)?),
                    })
                })
                .collect()
        })
    }

    fn keep_forecast(&self, snapshots: &[ForecastSnapshot]) -> Result<()> {
        self.write(|c| {
            for s in snapshots {
                c.execute(
                    "INSERT INTO forecast_snapshots (week, quarter, owner, won_cents, commit_cents, best_case_cents, \
                 pipeline_cents, taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (week, quarter, owner) DO NOTHING",
                    &[
                        s.week.into(),
                        s.quarter.to_string().into(),
                        s.owner.as_ref().map_or(String::new(), |e| e.to_string()).into(),
                        s.totals.won.cents.into(),
                        s.totals.commit.cents.into(),
                        s.totals.best_case.cents.into(),
                        s.totals.pipeline.cents.into(),
                        now().into(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    fn forecast_history(&self, quarter: Quarter, owner: Option<&Email>) -> Result<Vec<ForecastSnapshot>> {
        self.read(|c| {
            let rows = c.query(
                "SELECT week, won_cents, commit_cents, best_case_cents, pipeline_cents FROM forecast_snapshots \
                 WHERE quarter = $1 AND owner = $2 ORDER BY week",
                &[quarter.to_string().into(), owner.map_or(String::new(), |e| e.to_string()).into()],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(ForecastSnapshot {
                        week: r.date(0)?,
                        quarter,
                        owner: owner.cloned(),
                        totals: Totals {
                            won: Money::from_cents(r.int(1)?),
                            commit: Money::from_cents(r.int(2)?),
                            best_case: Money::from_cents(r.int(3)?),
                            pipeline: Money::from_cents(r.int(4)?),
                        },
                    })
                })
                .collect()
        })
    }
}
