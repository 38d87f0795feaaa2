use super::{SqlStore, now};
use crate::{Driver, Result, SettingStore};

impl<D: Driver> SettingStore for SqlStore<D> {
    fn setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            c.query_one("SELECT value FROM settings WHERE key = $1", &[key.into()])?.map(|r| r.text(0)).transpose()
        })
    }

    fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|c| {
            c.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                &[key.into(), value.into(), now().into()],
            )?;
            Ok(())
        })
    }
}
