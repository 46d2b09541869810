"""Command-line operations: `flask --app wsgi <group> <command>`. Each commits once."""

from __future__ import annotations

import csv
import secrets
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import InstrumentError
from survey.models import Instrument, Role, WaveState
from survey.security import code_hash_key
from survey.services import DomainError, audit
from survey.services.codes import invitation_link, issue_codes, settle_codes
from survey.services.csv_files import CsvRejected
from survey.services.headcounts import replace_headcounts
from survey.services.imports import import_past_wave
from survey.services.instruments import load_units, register_instrument_file
from survey.services.users import create_user, find_user, list_users, set_password, update_user
from survey.services.waves import close_wave, create_wave, get_wave, open_wave

CLI_ACTOR = "command line"


def register_commands(app: Flask) -> None:
    groups = (instruments_cli, units_cli, waves_cli, codes_cli, users_cli, pipeline_cli,
              headcounts_cli)
    for group in groups:
        app.cli.add_command(group)
    app.cli.add_command(demo_command)


def _commit_or_fail(action):
    """Run a domain action; on refusal roll back and exit non-zero with its message."""
    try:
        result = action()
        db.session.commit()
        return result
    except CsvRejected as error:
        db.session.rollback()
        listed = "\n".join(f"  {problem}" for problem in error.problems)
        raise click.ClickException(
            f"The file was refused and nothing was stored. Fix these problems:\n{listed}"
        ) from error
    except (DomainError, InstrumentError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error


def _read_upload(path: str) -> bytes:
    """A file's bytes, refused above the size the upload pages accept."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if Path(path).stat().st_size > limit:
        raise click.ClickException(
            f"{path} is larger than {limit // (1024 * 1024)} MB (UPLOAD_MAX_BYTES)."
        )
    return Path(path).read_bytes()


@click.group("instruments", help="Load and list instrument versions.")
def instruments_cli():
    pass


@instruments_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_instrument(path):
    def action():
        loaded = register_instrument_file(path)
        audit.record(audit.INSTRUMENT_LOADED, CLI_ACTOR, instrument=loaded.code,
                     version=loaded.version, file=Path(path).name)
        return loaded

    instrument = _commit_or_fail(action)
    click.echo(f"Loaded {instrument.code} version {instrument.version}.")


@instruments_cli.command("list")
def list_instruments():
    for instrument in db.session.scalars(
        select(Instrument).order_by(Instrument.code, Instrument.version)
    ):
        click.echo(f"{instrument.code}:{instrument.version}\t{instrument.title}")


@click.group("units", help="Configure the organisation unit tree.")
def units_cli():
    pass


@units_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_unit_tree(path):
    def action():
        loaded = load_units(path)
        audit.record(audit.UNITS_LOADED, CLI_ACTOR, units=loaded)
        return loaded

    count = _commit_or_fail(action)
    click.echo(f"Loaded {count} units.")


@click.group("waves", help="Create, open and close survey waves.")
def waves_cli():
    pass


@waves_cli.command("create")
@click.argument("code")
@click.option("--title", required=True)
@click.option("--instrument", "instrument_ref", required=True, help="CODE:VERSION")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--k", "threshold", type=int, default=10, show_default=True)
def create_wave_command(code, title, instrument_ref, opens, closes, threshold):
    def action():
        created = create_wave(
            code, title, _instrument(instrument_ref), opens.date(), closes.date(), threshold
        )
        audit.record(audit.WAVE_CREATED, CLI_ACTOR, wave=created.code, k=created.threshold)
        return created

    wave = _commit_or_fail(action)
    click.echo(f"Created draft wave {wave.code} (k = {wave.threshold}).")


def _instrument(ref: str) -> Instrument:
    code, _, version = ref.partition(":")
    instrument = (
        db.session.scalar(select(Instrument).filter_by(code=code, version=int(version or 0)))
        if version.isdigit()
        else None
    )
    if instrument is None:
        raise DomainError(f"No instrument {ref!r}; see `instruments list`.")
    return instrument


@waves_cli.command("open")
@click.argument("code")
def open_wave_command(code):
    def action():
        wave = get_wave(code)
        open_wave(wave)
        audit.record(audit.WAVE_OPENED, CLI_ACTOR, wave=wave.code, k=wave.threshold,
                     breakdowns=wave.breakdowns)

    _commit_or_fail(action)
    click.echo(f"Opened {code}. Its instrument, thresholds and breakdowns are now fixed.")


@waves_cli.command("close")
@click.argument("code")
def close_wave_command(code):
    def action():
        wave = get_wave(code)
        responses = close_wave(wave)
        audit.record(audit.WAVE_CLOSED, CLI_ACTOR, wave=wave.code, responses=responses,
                     codes_purged=wave.codes_issued)
        return responses

    responses = _commit_or_fail(action)
    click.echo(f"Closed {code}: its {responses:,} responses are published; codes purged.")


@waves_cli.command("import")
@click.argument("code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", "mapping_path", type=click.Path(exists=True, dir_okay=False),
              help="YAML mapping of the file's columns and labels (docs/import-format.md).")
def import_wave_command(code, path, mapping_path):
    """Import a past survey's responses (CSV) into draft wave CODE, which is then closed."""
    data = _read_upload(path)
    mapping = _read_upload(mapping_path) if mapping_path else None

    def action():
        result = import_past_wave(get_wave(code), data, mapping)
        audit.record(audit.WAVE_IMPORTED, CLI_ACTOR, wave=code, responses=result.responses,
                     mapping=mapping is not None)
        return result

    result = _commit_or_fail(action)
    skipped = f" {result.blank_rows} empty rows were skipped." if result.blank_rows else ""
    click.echo(f"Imported {result.responses:,} responses into {code}, which is now closed."
               + skipped)


@click.group("headcounts", help="Workforce headcounts from HR records.")
def headcounts_cli():
    pass


@headcounts_cli.command("load")
@click.argument("code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_headcounts_command(code, path):
    """Replace wave CODE's headcounts with a CSV (layout: docs/import-format.md)."""
    data = _read_upload(path)

    def action():
        wave = get_wave(code)
        loaded = replace_headcounts(wave, data)
        audit.record(audit.HEADCOUNTS_LOADED, CLI_ACTOR, wave=wave.code, rows=loaded)
        return loaded

    count = _commit_or_fail(action)
    click.echo(f"Loaded {count} headcounts for {code}, replacing any loaded before.")


@click.group("pipeline", help="Promotion pipeline outcomes from HR records.")
def pipeline_cli():
    pass


@pipeline_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--instrument",
    "instrument_ref",
    required=True,
    help="CODE:VERSION whose breakdowns the groups belong to",
)
def load_pipeline(path, instrument_ref):
    """Load counts per round, stage and group (layout: docs/import-format.md)."""
    from survey.instruments import Definition
    from survey.services.pipeline import load_pipeline_csv

    data = Path(path).read_bytes()

    def action():
        loaded = load_pipeline_csv(data, Definition(_instrument(instrument_ref).definition))
        audit.record(audit.PIPELINE_LOADED, CLI_ACTOR, rows=loaded, file=Path(path).name)
        return loaded

    count = _commit_or_fail(action)
    click.echo(f"Loaded {count} pipeline counts.")


@click.group("codes", help="Invitation codes.")
def codes_cli():
    pass


@codes_cli.command("issue")
@click.option("--wave", "wave_code", required=True)
@click.option("--count", type=int, required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option(
    "--override",
    is_flag=True,
    help="Issue even if there would be more codes than the headcount (audited).",
)
def issue_codes_command(wave_code, count, out, override):
    """Write COUNT new codes with their links to OUT for the mail merge. Shown only once."""
    out_path = Path(out)
    if out_path.exists():
        raise click.ClickException(f"{out} exists; codes are never overwritten. Choose a new file.")

    def action():
        wave = get_wave(wave_code)
        issued = issue_codes(wave, count, code_hash_key(current_app), override=override)
        audit.record(audit.CODES_ISSUED, CLI_ACTOR, wave=wave.code, count=len(issued),
                     after_opening=wave.state == WaveState.OPEN, override=override)
        return issued

    codes = _commit_or_fail(action)
    settle_codes(get_wave(wave_code).id)
    write_codes_csv(out_path, codes, current_app.config["BASE_URL"])
    click.echo(f"Wrote {len(codes)} codes to {out}. They are not stored anywhere else.")


def write_codes_csv(path: Path, codes: list[str], base_url: str) -> None:
    with path.open("x", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "link"])
        writer.writerows([code, invitation_link(base_url, code)] for code in codes)
    path.chmod(0o600)


@click.group("users", help="Staff accounts. Passwords are never taken from the command line.")
def users_cli():
    pass


def _read_password() -> str:
    """From a hidden prompt at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "units", multiple=True, help="HR only: limit to this unit (repeatable).")
def create_user_command(email, role, units):
    """Create a staff account; the password is read from a prompt or standard input."""
    password = _read_password()

    def action():
        user = create_user(email, password, role, list(units) or None)
        audit.record(
            audit.USER_CREATED,
            CLI_ACTOR,
            email=user.email,
            role=user.role.value,
            unit_scope=user.unit_scope,
        )
        return user

    user = _commit_or_fail(action)
    click.echo(f"Created {role} account {user.email}.")


@users_cli.command("list")
def list_users_command():
    for user in list_users():
        scope = ",".join(user.unit_scope or []) or "all units"
        status = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role.value}\t{scope}\t{status}")


@users_cli.command("set-password")
@click.argument("email")
def set_password_command(email):
    """Set a new password (prompt or standard input); the account's sessions end."""
    password = _read_password()

    def action():
        user = find_user(email)
        set_password(user, password)
        audit.record(audit.PASSWORD_CHANGED, CLI_ACTOR, email=user.email)

    _commit_or_fail(action)
    click.echo(f"Set a new password for {email}.")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user_command(email):
    def action():
        user = find_user(email)
        changes = update_user(user, user.role, user.unit_scope, active=False)
        audit.record(audit.USER_DEACTIVATED, CLI_ACTOR, email=user.email, changes=changes)

    _commit_or_fail(action)
    click.echo(f"Deactivated {email}; its sessions have ended.")


@click.command("demo", help="Build a demo force with past waves and an open one.")
@click.option("--codes-out", default="demo-codes.csv", show_default=True)
@click.option("--respondents", default=1500, show_default=True, help="Per past wave.")
def demo_command(codes_out, respondents):
    from survey.demo import build_demo, demo_exists

    if demo_exists():
        click.echo("The demo force is already built.")
        return
    if Path(codes_out).exists():
        raise click.ClickException(
            f"{codes_out} exists; codes are never overwritten. Move it or pass --codes-out."
        )
    password = secrets.token_urlsafe(12)
    summary = _commit_or_fail(
        lambda: build_demo(password, respondents, code_hash_key(current_app), today=date.today())
    )
    settle_codes(get_wave(summary.waves[-1].code).id)
    write_codes_csv(Path(codes_out), summary.codes, current_app.config["BASE_URL"])
    click.echo(summary.describe(password, codes_out))
