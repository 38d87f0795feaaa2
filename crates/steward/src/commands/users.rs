use super::{outln, print_json, print_table};
use crate::Settings;
use crate::cli::{UserAddArgs, UsersCommand};
use anyhow::Result;
use steward_domain::{Email, NewUser, user::check_scope};

pub fn run(settings: &Settings, command: UsersCommand) -> Result<()> {
    match command {
        UsersCommand::Add(args) => add(settings, args),
        UsersCommand::List(flag) => {
            let users = crate::open::open_store(settings)?.users()?;
            if flag.json {
                return print_json(&users);
            }
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    let scope = match (&u.account, u.department) {
                        (Some(a), _) => a.to_string(),
                        (None, Some(d)) => d.to_string(),
                        _ => String::new(),
                    };
                    vec![
                        u.email.to_string(),
                        u.name.clone(),
                        u.role.to_string(),
                        scope,
                        if u.active { "yes" } else { "no" }.into(),
                    ]
                })
                .collect();
            print_table(&["email", "name", "role", "account/department", "active"], &rows)?;
            Ok(())
        }
    }
}

fn add(settings: &Settings, args: UserAddArgs) -> Result<()> {
    let email = Email::parse(&args.email)?;
    // Check what can be checked before asking for a password.
    check_scope(args.role, args.department, args.account.as_ref())?;
    let store = crate::open::open_store(settings)?;
    if let Some(account) = &args.account {
        store.account(account)?;
    }
    let name = args.name.unwrap_or_else(|| name_from(&email));
    let password_hash = crate::password::hash(&crate::password::read(email.as_str())?)?;
    let user = store.create_user(&NewUser {
        email,
        name,
        role: args.role,
        department: args.department,
        account: args.account,
        password_hash,
    })?;
    if args.json {
        print_json(&user)
    } else {
        outln!("added {} ({}, {})", user.email, user.name, user.role);
        Ok(())
    }
}

/// "dana.quill@…" → "Dana Quill", until they set their own.
fn name_from(email: &Email) -> String {
    let local = email.as_str().split('@').next().unwrap_or_default();
    local
        .split(['.', '_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
