use super::{outln, print_json, print_table, thousands};
use crate::Settings;
use crate::cli::{AccountAddArgs, AccountsCommand, ContactsCommand};
use anyhow::Result;
use steward_domain::{ContactRole, Email, NewAccount, NewContact, Segment, account::DEFAULT_ENROLLMENT_TARGET};

pub fn run(settings: &Settings, command: AccountsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        AccountsCommand::Add(args) => {
            let json = args.json;
            let account = store.create_account(&new_account(args)?)?;
            if json {
                print_json(&account)
            } else {
                outln!("added account {} ({})", account.slug, account.name);
                Ok(())
            }
        }
        AccountsCommand::List(flag) => {
            let accounts = store.accounts()?;
            if flag.json {
                return print_json(&accounts);
            }
            let rows: Vec<Vec<String>> = accounts
                .iter()
                .map(|a| {
                    vec![
                        a.slug.to_string(),
                        a.name.clone(),
                        a.segment.to_string(),
                        a.status.to_string(),
                        a.employee_count.map(thousands).unwrap_or_default(),
                        a.owner.as_ref().map(Email::to_string).unwrap_or_default(),
                    ]
                })
                .collect();
            print_table(&["slug", "name", "segment", "status", "employees", "owner"], &rows)?;
            Ok(())
        }
    }
}

fn new_account(args: AccountAddArgs) -> Result<NewAccount> {
    let mut account = NewAccount::new(args.slug, args.name);
    account.segment = args.segment.unwrap_or_else(|| args.employees.map_or(Segment::MidMarket, Segment::for_employees));
    account.industry = args.industry;
    account.employee_count = args.employees;
    account.owner = args.owner.as_deref().map(Email::parse).transpose()?;
    account.parent = args.parent;
    account.fein = args.fein;
    account.enrollment_target = args.enrollment_target.unwrap_or(DEFAULT_ENROLLMENT_TARGET);
    account.status = args.status.unwrap_or(account.status);
    Ok(account)
}

/// `base` with the flags given changed.
fn contact_with(fields: &crate::cli::ContactFields, mut c: NewContact) -> Result<NewContact> {
    if let Some(v) = &fields.name {
        c.name.clone_from(v);
    }
    if let Some(v) = &fields.title {
        c.title.clone_from(v);
    }
    if let Some(v) = &fields.role {
        c.role = v.parse()?;
    }
    if let Some(v) = fields.influence {
        c.influence = v;
    }
    if let Some(v) = fields.sentiment {
        c.sentiment = v;
    }
    if let Some(v) = &fields.email {
        c.email = Some(v.as_str()).filter(|e| !e.is_empty()).map(Email::parse).transpose()?;
    }
    if let Some(v) = &fields.phone {
        c.phone = Some(v.trim().to_owned()).filter(|p| !p.is_empty());
    }
    c.validate()?;
    Ok(c)
}

pub fn contacts(settings: &Settings, command: ContactsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let by = |e: &Option<String>| e.as_deref().map(Email::parse).transpose();
    let (contact, json) = match command {
        ContactsCommand::List(a) => {
            let list = store.contacts(&a.account)?;
            if a.json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.name.clone(),
                        c.title.clone(),
                        c.role.to_string(),
                        c.influence.to_string(),
                        c.sentiment.to_string(),
                    ]
                })
                .collect();
            return print_table(&["id", "name", "title", "role", "influence", "sentiment"], &rows);
        }
        ContactsCommand::Add(a) => {
            let Some(name) = a.fields.name.clone() else { anyhow::bail!("a stakeholder needs --name") };
            let base = NewContact {
                account: a.account.clone(),
                name,
                title: String::new(),
                email: None,
                phone: None,
                role: ContactRole::Other,
                influence: 3,
                sentiment: 0,
                last_touch: None,
            };
            (store.create_contact(&contact_with(&a.fields, base)?, by(&a.by)?.as_ref())?, a.json)
        }
        ContactsCommand::Edit(a) => {
            let c = store.contact(a.id)?;
            let base = NewContact {
                account: c.account.clone(),
                name: c.name.clone(),
                title: c.title.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
                role: c.role,
                influence: c.influence,
                sentiment: c.sentiment,
                last_touch: c.last_touch,
            };
            (store.update_contact(a.id, &contact_with(&a.fields, base)?, by(&a.by)?.as_ref(), c.version)?, a.json)
        }
        ContactsCommand::Retire(a) => {
            let c = store.contact(a.id)?;
            let on = a.on.unwrap_or_else(|| chrono::Local::now().date_naive());
            (store.retire_contact(a.id, on, by(&a.by)?.as_ref(), c.version)?, a.json)
        }
    };
    if json {
        return print_json(&contact);
    }
    outln!(
        "{} ({}, {}) is version {} of contact {}",
        contact.name,
        contact.role,
        contact.account,
        contact.version,
        contact.id
    );
    Ok(())
}
