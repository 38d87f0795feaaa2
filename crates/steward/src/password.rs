//! Passwords on the command line: reading one without echo; hashing is `steward_web::credentials`.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, IsTerminal};

/// An argon2id PHC string, or a one-line error (too short).
pub fn hash(password: &str) -> Result<String> {
    Ok(steward_web::credentials::hash_password(password)?)
}

/// Prompts on a terminal (twice, without echo); otherwise reads the first line of stdin.
pub fn read(for_whom: &str) -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password(format!("Password for {for_whom}: ")).context("cannot read the password")?;
        let again = rpassword::prompt_password("Again: ").context("cannot read the password")?;
        if first != again {
            bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password on stdin: pipe one in, e.g. `echo \"$PASSWORD\" | steward users add …`");
    }
    Ok(password)
}

/// A random password for demo users.
pub fn generate() -> String {
    steward_web::credentials::new_password()
}
