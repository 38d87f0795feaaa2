use super::{outln, print_json, print_table, thousands};
use crate::Settings;
use crate::cli::{AccountAddArgs, AccountsCommand};
use anyhow::Result;
use steward_domain::{Email, NewAccount, Segment, account::DEFAULT_ENROLLMENT_TARGET};

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
